#!/bin/sh
# NAV sandbox: OData V4 URLs and companies, server-driven paging, $filter typing and
# NAV's limits, $select/$orderby/$count/$expand, ETags and If-Match, $batch, errors,
# the three authentication modes, SOAP page services.  The tools are tested in
# 0502 and up; this checks the stand-in itself behaves as NAV/BC does.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start nav --records 30 --auth basic,ntlm,oauth --company 'CRONUS International Ltd.' \
	--company 'Other Co'
R=$NAV_URL/BC/ODataV4
C="Company('CRONUS%20International%20Ltd.')"
A="admin:NAVkey123"
get() { curl -sS -u "$A" "$@"; }
json() { curl -sS -u "$A" -H 'Content-Type: application/json' "$@"; }

# companies and addressing
is "$(get "$R/Company" | jq -r '[.value[].Name] | join("|")')" \
	"CRONUS International Ltd.|Other Co" "Company lists the companies"
id=$(get "$R/Company" | jq -r '.value[0].Id')
is "$(get "$R/Company(Id=$id)/Customer/\$count")" "36" "Company(Id=guid) addresses the company"
is "$(get "$R/Customer/\$count?company=Other%20Co")" "6" "?company= addresses the other"
is "$(get "$R/$C/Customer('10000')" | jq -r .Name)" "Adatum Corporation" "single entity by key"
is "$(get "$R/$C/SalesOrder(Document_Type='Order',No='S-ORD101001')" | jq -r .Sell_to_Customer_No)" \
	"20000" "compound key"
like "$(get "$R/$C/Customer('99')")" '"code": "Internal_RecordNotFound"' "missing record: NAV code"
like "$(get "$R/$C/Nope")" '"BadRequest_NotFound"' "unknown entity set"

# paging: server page size, maxpagesize, nextLink forms, empty last page
all=$(get "$R/$C/Customer?\$select=No" | jq -r '[.value[].No] | join(" ")')
is "$(echo "$all" | wc -w)" "36" "one page holds all under the server page size"
pages() { # pages URL [CURL ARGS]: follow nextLink, print the Nos
	u=$1
	shift
	out=
	n=0
	while [ -n "$u" ]; do
		get "$@" "$u" >"$T/page"
		out="$out $(jq -r '[.value[].No] | join(" ")' "$T/page")"
		next=$(jq -r '."@odata.nextLink" // empty' "$T/page")
		case $next in
		http*) u=$next ;;
		/*) u=$NAV_URL$next ;;
		'') u= ;;
		*) u=$R/$next ;;
		esac
		n=$((n + 1))
	done
	echo "$n$out" | tr -s ' ' | sed 's/ $//'
}
is "$(pages "$R/$C/Customer?\$select=No" -H 'Prefer: odata.maxpagesize=7')" "6 $all" \
	"maxpagesize 7: 36 = 5*7+1, six pages, the last short"
is "$(pages "$R/$C/Customer?\$select=No" -H 'Prefer: odata.maxpagesize=6')" "7 $all" \
	"maxpagesize 6: 36 = 6*6, so the seventh page is empty"
like "$(get -D - -o /dev/null -H 'Prefer: odata.maxpagesize=5' "$R/$C/Customer")" \
	"Preference-Applied: odata.maxpagesize=5" "Preference-Applied"
sandbox_control nav POST nav/config '{"page_size":10,"next_link":"relative"}' >/dev/null
like "$(get "$R/$C/Customer?\$select=No" | jq -r '."@odata.nextLink"')" \
	"^Company\('CRONUS%20International%20Ltd\.'\)/Customer\?\\\$select=No&\\\$skiptoken='C000004'$" \
	"relative nextLink, key skiptoken"
is "$(pages "$R/$C/Customer?\$select=No")" "4 $all" "server page size 10, relative links"
sandbox_control nav POST nav/config '{"page_size":1000,"next_link":"absolute"}' >/dev/null
is "$(get "$R/$C/Customer?\$top=3&\$select=No" -H 'Prefer: odata.maxpagesize=2' |
	jq -r '([.value[].No] | join(" ")) + " " + (."@odata.nextLink" // "none")')" "10000 20000 none" \
	"\$top suppresses nextLink"

# $filter
f() { get -G "$R/$C/Customer" --data-urlencode "\$filter=$1" --data-urlencode '$select=No' |
	jq -r 'if .error then .error.code else [.value[].No] | join(" ") end'; }
is "$(f "Name eq 'O''Brien Fabrics & Sons'")" "60000" "doubled quote in a string literal"
is "$(f "No ge '20000' and No le '40000'")" "20000 30000 40000" "ge le and"
is "$(f "No eq '10000' or No eq '50000'")" "10000 50000" "or on one field"
is "$(f "No eq '10000' or City eq 'London'")" "BadRequest_NotSupported" "or across fields refused"
is "$(f "No eq 10000")" "BadRequest" "number against a string field refused"
is "$(f "startswith(Name,'Alp') and contains(City,'rich')")" "40000" "startswith contains"
is "$(f "endswith(E_Mail,'@contoso.com') and No lt '30000'")" "10000 20000" "endswith"
is "$(f "Credit_Limit_LCY gt 9999.5 and No lt '20000'")" "10000" "decimal comparison"
is "$(f "Last_Date_Modified eq 2026-01-05 and No eq '10000'")" "10000" "unquoted date"
is "$(f "SystemModifiedAt le 2026-01-05T10:00:00.002Z")" "10000 20000" "unquoted datetime"
is "$(f "SystemModifiedAt le 2026-01-05T11:00:00.002+01:00")" "10000 20000" "datetime with offset"
is "$(f "Last_Date_Modified eq '2026-01-05'")" "BadRequest" "quoted date refused"
is "$(f "Blocked eq 'All' and No lt 'C000005'")" "" "enum by caption"
is "$(f "Blocked eq NAV.CustomerBlocked'_x0020_' and No lt '20000'")" "10000" "enum literal"
is "$(f "Nope eq 1")" "BadRequest" "unknown property"
is "$(get "$R/$C/Customer?\$filter=No%20eq%20'10000'&\$select=Name,City" | jq -c '.value[0] | keys')" \
	'["@odata.etag","City","Name"]' "\$select keeps the etag"
is "$(get "$R/$C/Customer?\$orderby=Name%20desc&\$top=2&\$filter=No%20lt%20'C'" |
	jq -r '[.value[].No] | join(" ")')" "20000 30000" "\$orderby desc"
is "$(get "$R/$C/Customer?\$count=true&\$top=1" | jq -r '."@odata.count"')" "36" "\$count=true"
is "$(get "$R/$C/SalesOrder?\$top=1&\$expand=SalesOrderSalesLines" |
	jq -r '.value[0].SalesOrderSalesLines | length')" "2" "\$expand lines"
is "$(get "$R/$C/Customer?\$foo=1" | jq -r .error.code)" "BadRequest" "unknown query option"

# writes, etags, stale If-Match
e1=$(get "$R/$C/Customer('20000')" | jq -r '."@odata.etag"')
like "$e1" '^W/"' "weak etag"
is "$(json -X PATCH -d '{"City":"Leeds"}' "$R/$C/Customer('20000')" | jq -r .error.code)" \
	"BadRequest_MissingETag" "PATCH without If-Match refused"
e2=$(json -X PATCH -H "If-Match: $e1" -d '{"City":"Leeds"}' "$R/$C/Customer('20000')" |
	jq -r '."@odata.etag"')
isnt_same() { if [ "$1" != "$2" ]; then _result 0 "$3"; else _result 1 "$3"; fi; }
isnt_same "$e1" "$e2" "PATCH answers a new etag"
is "$(json -X PATCH -H "If-Match: $e1" -d '{"City":"York"}' -o /dev/null -w '%{http_code}' \
	"$R/$C/Customer('20000')")" "409" "stale etag: 409"
is "$(json -X PATCH -H "If-Match: $e1" -d '{"City":"York"}' "$R/$C/Customer('20000')" |
	jq -r .error.code)" "Request_EntityChanged" "...Request_EntityChanged"
is "$(get "$R/$C/Customer('20000')" | jq -r .City)" "Leeds" "the stale write changed nothing"
sandbox_control nav POST nav/config '{"stale_status":412}' >/dev/null
is "$(json -X DELETE -H "If-Match: $e1" -o /dev/null -w '%{http_code}' "$R/$C/Customer('20000')")" \
	"412" "--stale-status 412 on DELETE"
sandbox_control nav POST nav/config '{"stale_status":409}' >/dev/null
is "$(json -d '{"Name":"Series Co"}' "$R/$C/Customer" | jq -r .No)" "C000031" "number series"
is "$(json -d '{"No":"10000"}' "$R/$C/Customer" | jq -r .error.code)" \
	"Internal_EntityWithSameKeyExists" "duplicate key"
is "$(json -d '{"No":"X1","E_Mail":"nope"}' "$R/$C/Customer" | jq -r .error.code)" \
	"Application_FieldValidationException" "validation error code"
is "$(json -d "{\"No\":\"X2\",\"Name\":\"$(printf '%0101d' 0)\"}" "$R/$C/Customer" |
	jq -r .error.code)" "Application_StringExceededLength" "MaxLength"
is "$(json -d '{"No":"X3","Balance_LCY":5}' "$R/$C/Customer" | jq -r .error.code)" \
	"BadRequest_PropertyReadOnly" "read-only field"
is "$(json -d '{"Sell_to_Customer_No":"10000","SalesOrderSalesLines":[{"Type":"Item","No":"1900-S","Quantity":2}]}' \
	"$R/$C/SalesOrder" | jq -r '.No + " " + (.SalesOrderSalesLines[0].Line_Amount|tostring)')" \
	"S-ORD101031 385.6" "deep insert of an order with lines"
is "$(json -d '{"Quantity":1}' "$R/$C/ItemLedgerEntries" | jq -r .error.code)" \
	"BadRequest_MethodNotAllowed" "ledger entries are read-only"
e3=$(get "$R/$C/Customer('30000')" | jq -r '."@odata.etag"')
sandbox_control nav POST nav/on-read '{"set":"Customer","key":{"No":"30000"},"values":{"City":"Rome"}}' >/dev/null
e4=$(get "$R/$C/Customer('30000')" | jq -r '."@odata.etag"')
is "$e4" "$e3" "on-read: the read answers the old record..."
is "$(json -X PATCH -H "If-Match: $e4" -d '{"Phone_No":"1"}' -o /dev/null -w '%{http_code}' \
	"$R/$C/Customer('30000')")" "409" "...and the edit behind it makes the etag stale"

# $batch
b=$(json -d '{"requests":[
 {"id":"a","method":"GET","url":"Company('"'"'CRONUS International Ltd.'"'"')/Customer('"'"'10000'"'"')"},
 {"id":"b","method":"GET","url":"'"$R"'/Company('"'"'CRONUS International Ltd.'"'"')/Customer('"'"'zz'"'"')"},
 {"id":"c","method":"POST","url":"/BC/ODataV4/Company('"'"'CRONUS International Ltd.'"'"')/Vendor","headers":{"Content-Type":"application/json"},"body":{"No":"VB1","Name":"Batch"}}]}' \
	"$R/\$batch")
is "$(echo "$b" | jq -r '[.responses[] | "\(.id)=\(.status)"] | join(" ")')" "a=200 b=404 c=201" \
	"\$batch: relative, absolute and path URLs, independent results"
big=$(jq -nc '{requests: [range(101) | {id: tostring, method: "GET", url: "Company('"'"'CRONUS International Ltd.'"'"')/Customer('"'"'10000'"'"')"}]}')
is "$(json -d "$big" "$R/\$batch" | jq -r .error.code)" "BadRequest_BatchTooLarge" "101 operations refused"
is "$(json -H 'Isolation: snapshot' -d '{"requests":[
 {"id":"1","method":"POST","url":"Company('"'"'CRONUS International Ltd.'"'"')/Vendor","body":{"No":"VB2"}},
 {"id":"2","method":"POST","url":"Company('"'"'CRONUS International Ltd.'"'"')/Vendor","body":{"No":"VB1"}}]}' \
	"$R/\$batch" | jq -r .error.code)" "Internal_EntityWithSameKeyExists" "atomic batch fails whole..."
is "$(get -o /dev/null -w '%{http_code}' "$R/$C/Vendor('VB2')")" "404" "...and rolls back"

# $metadata
get "$R/\$metadata" >"$T/md.xml"
like "$(tr -d '\n' <"$T/md.xml")" '<EntityType Name="Customer"><Key><PropertyRef Name="No" /></Key>' \
	"CSDL entity type with key"
like "$(cat "$T/md.xml")" '<Property Name="Credit_Limit_LCY" Type="Edm.Decimal"' "decimal property"
like "$(cat "$T/md.xml")" '<Property Name="Blocked" Type="NAV.CustomerBlocked"' "enum property"

# auth
is "$(curl -sS -o /dev/null -w '%{http_code}' "$R/$C/Customer")" "401" "no credentials: 401"
like "$(curl -sS -D - -o /dev/null "$R/$C/Customer")" "WWW-Authenticate: NTLM" "offers NTLM"
is "$(curl -sS -u admin:wrong -o /dev/null -w '%{http_code}' "$R/$C/Customer")" "401" "wrong key"
is "$(curl -sS --ntlm -u 'NAVSANDBOX\navuser:Passw0rd!' "$R/$C/Customer('10000')" | jq -r .No)" \
	"10000" "NTLM handshake (NTLMv2)"
is "$(curl -sS --ntlm -u 'NAVSANDBOX\navuser:bad' -o /dev/null -w '%{http_code}' "$R/$C/Customer")" \
	"401" "NTLM wrong password"
tok=$(curl -sS -d grant_type=client_credentials -d client_id=erpipe-client \
	-d client_secret=client-secret-1 \
	--data-urlencode scope=https://api.businesscentral.dynamics.com/.default \
	"$NAV_URL/sandbox-tenant/oauth2/v2.0/token" | jq -r .access_token)
is "$(curl -sS -H "Authorization: Bearer $tok" "$R/$C/Customer('10000')" | jq -r .No)" "10000" \
	"OAuth bearer token"
is "$(curl -sS -d grant_type=client_credentials -d client_id=erpipe-client -d client_secret=x \
	--data-urlencode scope=https://api.businesscentral.dynamics.com/.default \
	"$NAV_URL/sandbox-tenant/oauth2/v2.0/token" | jq -r .error)" "invalid_client" "bad secret"
is "$(curl -sS -H "Authorization: Bearer $tok" "$NAV_URL/BC/api/v2.0/companies($id)/customers?\$filter=number%20eq%20'10000'" |
	jq -r '.value[0].displayName + " " + (.value[0].lastModifiedDateTime|tostring)')" \
	"Adatum Corporation 2026-01-05T10:00:00.001Z" "API v2.0 page with lastModifiedDateTime"
like "$(sandbox_log nav | jq -c '[.[] | .headers.Authorization // empty] | unique')" \
	'^\["(Basic|Bearer|NTLM) \*\*\*"' "the request log redacts credentials"

# SOAP
W="$NAV_URL/BC/WS/CRONUS%20International%20Ltd./Page/Customer"
soap() { curl -sS -u "$A" -H 'Content-Type: text/xml; charset=utf-8' \
	-H "SOAPAction: \"urn:microsoft-dynamics-schemas/page/customer:$1\"" --data-binary \
	"<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><$1 xmlns=\"urn:microsoft-dynamics-schemas/page/customer\">$2</$1></s:Body></s:Envelope>" "$W"; }
like "$(get "$W")" '<complexType name="Customer">' "GET: WSDL"
r=$(soap ReadMultiple '<filter><Field>No</Field><Criteria>10000..30000|60000</Criteria></filter><setSize>2</setSize>')
is "$(echo "$r" | grep -o '<No>[^<]*</No>' | tr -d '\n')" "<No>10000</No><No>20000</No>" \
	"ReadMultiple: range and | filter, setSize"
k=$(echo "$r" | grep -o '<Key>[^<]*</Key>' | tail -1 | sed 's/<[^>]*>//g')
is "$(soap ReadMultiple "<filter><Field>No</Field><Criteria>10000..30000|60000</Criteria></filter><bookmarkKey>$k</bookmarkKey><setSize>2</setSize>" |
	grep -o '<No>[^<]*</No>' | tr -d '\n')" "<No>30000</No><No>60000</No>" "bookmarkKey pages on"
is "$(soap ReadMultiple "<filter><Field>Name</Field><Criteria>@o'*</Criteria></filter><setSize>0</setSize>" |
	grep -o '<No>[^<]*</No>')" "<No>60000</No>" "@ case-insensitive wildcard"
is "$(soap Read '<No>nope</No>')" \
	'<Soap:Envelope xmlns:Soap="http://schemas.xmlsoap.org/soap/envelope/"><Soap:Body><Read_Result xmlns="urn:microsoft-dynamics-schemas/page/customer" /></Soap:Body></Soap:Envelope>' \
	"Read of a missing record: empty result"
k1=$(soap Read '<No>10000</No>' | grep -o '<Key>[^<]*</Key>' | sed 's/<[^>]*>//g')
like "$(soap Update "<Customer><Key>$k1</Key><City>Ely</City></Customer>")" "<City>Ely</City>" "Update"
like "$(soap Update "<Customer><Key>$k1</Key><City>Bury</City></Customer>")" \
	'NavCSideRecordModifiedException.*Other user has modified' "Update with an old Key: fault"
like "$(soap Create '<Customer><No>S1</No><Name>Soap Co</Name></Customer>')" \
	'<Create_Result xmlns="urn:microsoft-dynamics-schemas/page/customer"><Customer><Key>' "Create"
ks=$(soap Read '<No>S1</No>' | grep -o '<Key>[^<]*</Key>' | sed 's/<[^>]*>//g')
like "$(soap Delete "<Key>$ks</Key>")" "<Delete_Result>true</Delete_Result>" "Delete"
like "$(soap Create '<Customer><No>S2</No><E_Mail>x</E_Mail></Customer>')" \
	'<faultstring xml:lang="en-US">The email address' "validation fault"
like "$(curl -sS -u "$A" --data-binary '<s:Envelope' "$W")" "System.Xml.XmlException" \
	"malformed envelope: fault"
done_testing
