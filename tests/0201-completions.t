#!/bin/sh
# completions/gen turns --help into bash, zsh and fish completions, shown on
# fake programs; every program's --help and committed completions are sound.
# That the committed files (and the man pages' OPTIONS) are what every
# program's --help gives now is tests/0016-options-drift.t.
. "$(dirname "$0")/lib.sh"
GEN=$ERPIPE_TOP/completions/gen

skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # skip $*"; }

# bcomp PROG FILE WORD...: run PROG's bash completion on the words (the last
# one is being completed); print the sorted candidates on one line
bcomp() {
	bash -c '
		prog=$1 file=$2; shift 2
		. "$file"
		COMP_WORDS=("$prog" "$@"); COMP_CWORD=$#
		"_erpipe_${prog//[^A-Za-z0-9_]/_}"
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' bcomp "$@"
}

# ---- the generator, on a fake program --------------------------------------
mkdir -p "$T/bin" "$T/work/sub"
: >"$T/work/afile"
cat >"$T/bin/fakeprog" <<'EOF'
#!/bin/sh
cat <<'HELP'
usage: fakeprog [-qv] [-f MAP] [--rejects FILE] [FILE ...]
       fakeprog --check MAP

Options:
  -f, --map MAP              mapping file or name on the map search path
      --check MAP            check a map and exit
      --max-line BYTES       longest input line accepted (default 64M)
      --m2o pair|id|name|object   how many2one values are written
  -o, --out-dir DIR          write here [default: .]
      --rejects FILE         append rejected records to FILE
  -q, --quiet                no counts or warnings on stderr
  -v, --verbose              more detail; say 'why' twice
HELP
EOF
chmod +x "$T/bin/fakeprog"
"$T/bin/fakeprog" >"$T/fake.help"

run "$GEN" -o "$T/gen" fakeprog "$T/fake.help"
is "$st" 0 "gen: fake program"
B=$T/gen/bash/fakeprog
ok "gen: bash file" test -s "$B"
ok "gen: zsh file" test -s "$T/gen/zsh/_fakeprog"
ok "gen: fish file" test -s "$T/gen/fish/fakeprog.fish"
ok "gen: bash -n" bash -n "$B"
"$GEN" -o "$T/gen2" fakeprog <"$T/fake.help"
ok "gen: help on stdin, same output" diff -r "$T/gen" "$T/gen2"

cd "$T/work"
is "$(bcomp fakeprog "$B" --m)" "--m2o --map --max-line " "bash: long option prefix"
is "$(bcomp fakeprog "$B" -)" \
	"--check --m2o --map --max-line --out-dir --quiet --rejects --verbose -f -o -q -v " \
	"bash: every option"
is "$(bcomp fakeprog "$B" --m2o '')" "id name object pair " "bash: choices"
is "$(bcomp fakeprog "$B" --m2o = n)" "name " "bash: choices after ="
is "$(bcomp fakeprog "$B" --m2o =)" "id name object pair " "bash: choices right after ="
is "$(bcomp fakeprog "$B" -o '')" "sub " "bash: DIR completes directories"
is "$(bcomp fakeprog "$B" --out-dir '')" "sub " "bash: long form of a DIR option"
is "$(bcomp fakeprog "$B" -f a)" "afile " "bash: MAP completes files"
is "$(bcomp fakeprog "$B" --rejects '')" "afile sub " "bash: FILE completes files"
is "$(bcomp fakeprog "$B" --max-line '')" "" "bash: BYTES completes nothing"
is "$(bcomp fakeprog "$B" -q '')" "afile sub " "bash: FILE operands"
cd "$T"

Z=$T/gen/zsh/_fakeprog
like "$(head -1 "$Z")" '^#compdef fakeprog$' "zsh: #compdef"
like "$(cat "$Z")" "\{-f\+,--map=\}'\[mapping file or name on the map search path\]:MAP:_files'" \
	"zsh: file option"
like "$(cat "$Z")" "--m2o='\[how many2one values are written\]:m2o:\(pair id name object\)'" \
	"zsh: choices"
like "$(cat "$Z")" ":DIR:_files -/'" "zsh: directories"
like "$(cat "$Z")" "\[write here \\\\\[default: \.\\\\\]\]" "zsh: brackets escaped"
like "$(cat "$Z")" "^	'\*:FILE:_files'$" "zsh: FILE operands"
F=$T/gen/fish/fakeprog.fish
like "$(cat "$F")" "^complete -c fakeprog -s f -l map -r -F -d 'mapping file" "fish: file option"
like "$(cat "$F")" "^complete -c fakeprog -l m2o -x -a 'pair id name object' " "fish: choices"
like "$(cat "$F")" "-l out-dir -x -a '\(__fish_complete_directories\)'" "fish: directories"
like "$(cat "$F")" "-d 'more detail; say \\\\'why\\\\' twice'" "fish: quote escaped"
run grep -q '^complete -c fakeprog -f$' "$F"
is "$st" 1 "fish: file operands leave file completion on"

if command -v zsh >/dev/null 2>&1; then
	ok "zsh -n" zsh -n "$Z"
else
	skip "zsh not installed"
fi
if command -v fish >/dev/null 2>&1; then
	ok "fish -n" fish -n "$F"
	is "$(cd "$T/work" && fish --no-config -c "source '$F'; complete -C 'fakeprog --m2o '" | cut -f1 | tr '\n' ' ')" \
		"id name object pair " "fish: choices complete"
else
	skip "fish not installed"
	skip "fish not installed"
fi

# a program without file operands
cat >"$T/nofiles.help" <<'EOF'
usage: nofiles [-q] [-P NAME] ENTITY

Options:
  -P, --profile NAME         connection profile
  -q, --quiet                quiet

Exit status:
  0 on success
EOF
"$GEN" -o "$T/gen" nofiles "$T/nofiles.help"
cd "$T/work"
is "$(bcomp nofiles "$T/gen/bash/nofiles" '')" "" "bash: no operand files when usage has none"
is "$(bcomp nofiles "$T/gen/bash/nofiles" -P '')" "" "bash: NAME completes nothing"
cd "$T"
ok "fish: file completion off without file operands" \
	grep -q '^complete -c nofiles -f$' "$T/gen/fish/nofiles.fish"
run grep -q "'\*:" "$T/gen/zsh/_nofiles"
is "$st" 1 "zsh: no operand spec"
ok "gen: a later block ends the options" bash -n "$T/gen/bash/nofiles"

# the format is checked, not guessed
printf 'usage: bad [-x]\n\nOptions:\n  -x, --ex ARG lower\n' >"$T/bad.help"
run "$GEN" -o "$T/gen" bad "$T/bad.help" 2>"$T/err"
is "$st" 64 "gen: malformed option line is refused"
is "$(cat "$T/err")" "gen: line 4: cannot parse option line '  -x, --ex ARG lower'" \
	"gen: says which line"
printf 'no usage here\n' >"$T/bad.help"
run "$GEN" -o "$T/gen" bad "$T/bad.help" 2>"$T/err"
is "$(cat "$T/err")" "gen: no 'usage: bad' line in the help text" "gen: needs a usage line"
printf 'usage: bad\n\nOptions:\n  -q, --quiet  a\n      --quiet  b\n' >"$T/bad.help"
run "$GEN" -o "$T/gen" bad "$T/bad.help" 2>"$T/err"
is "$(cat "$T/err")" "gen: option '--quiet' listed twice" "gen: duplicate option"

# ---- the real programs -----------------------------------------------------
progs=$(programs)
[ -n "$progs" ] || diag "no programs in '$ERPIPE_BIN' yet"
for p in $progs; do
	run "$p" --help >"$T/$p.help"
	is "$st" 0 "$p: --help exits 0"
	run "$p" --help >/dev/full 2>/dev/null
	is "$st" 74 "$p: --help into a full disk exits 74"
	run "$GEN" -o "$T/real" "$p" "$T/$p.help"
	is "$st" 0 "$p: completions generate"
	ok "$p: bash -n" bash -n "$ERPIPE_TOP/completions/bash/$p"
	if command -v zsh >/dev/null 2>&1; then
		ok "$p: zsh -n" zsh -n "$ERPIPE_TOP/completions/zsh/_$p"
	else
		skip "zsh not installed"
	fi
	if command -v fish >/dev/null 2>&1; then
		ok "$p: fish -n" fish -n "$ERPIPE_TOP/completions/fish/$p.fish"
	else
		skip "fish not installed"
	fi
done

done_testing
