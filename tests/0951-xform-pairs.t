#!/bin/sh
# xform --pairs: a map's field pairs (TARGET<TAB>SOURCE), read off the
# parse tree: through locals, branches not conditions, _key/_op left out,
# sub-mappings as the field they are applied to, if/else blocks walked.
. "${ERPIPE_TOP:-.}/tests/lib.sh"

cat > "$T/m.map" <<'X'
map Line {
	Sku = $product_id[1]
}
let cc       = $country_id[1] ?: false
if starts_with($ref, "X") {
	_key     = {"id": to_int($id)}
} else {
	Ext      = "odoo:" . $id
}
Name         = $is_company ? $name : join(" ", $first, $last)
Status       = $active ? "Active" : "Inactive"
Country      = cc
Address      = join(", ", $street, join(" ", $zip, $city))
Lines        = map(Line, $order_line)
Const        = "x"
"Odd Name"   = $["odd field"]
Nested.Field = $a.b
Name         = $name
X
run xform --pairs "$T/m.map" > "$T/out"
is "$st" 0 "--pairs: status 0"
printf 'Ext\tid\nName\tname\nName\tfirst\nName\tlast\nStatus\tactive\nCountry\tcountry_id\nAddress\tstreet\nAddress\tzip\nAddress\tcity\nLines\torder_line\nOdd Name\todd field\nNested.Field\ta\nName\tname\n' > "$T/want"
same_file "$T/out" "$T/want" "the pairs, in the map's order"

# a template by name, as -f finds it
run xform --pairs odoo/res.partner-to-nav/Customer > "$T/out"
is "$st" 0 "a template by name"
like "$(cat "$T/out")" "$(printf 'Post_Code\tzip')" "Post_Code from zip"
like "$(cat "$T/out")" "$(printf 'Country_Region_Code\tcountry_id')" "through a local"

printf 'A = $x +\n' > "$T/bad.map"
run xform --pairs "$T/bad.map" > "$T/out" 2> "$T/err"
is "$st" 65 "a map that does not compile: 65"
like "$(cat "$T/err")" "bad.map:1:9: unexpected end of file" "with its position"
is "$(wc -c < "$T/out" | tr -d ' ')" 0 "and no pairs"
run xform --pairs "$T/none.map" 2> /dev/null
is "$st" 66 "a missing map: 66"

done_testing
