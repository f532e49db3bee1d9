#!/bin/sh
# multipleOf is exact on the numbers' text, whatever their size: 40 digits,
# 1e-400, 1 followed by 5,000 zeros; a divisor of 1e-400 is positive.
. "$(dirname "$0")/lib.sh"

sch() { printf '{"properties":{"x":{"type":"number","multipleOf":%s}}}\n' "$1" >"$T/s.schema.json"; }
check() { # DIVISOR VALUE WANT-STATUS NAME
	sch "$1"
	printf '{"x":%s}\n' "$2" >"$T/in"
	run validate -q -s "$T/s.schema.json" "$T/in" >/dev/null 2>&1
	is "$st" "$3" "$4"
}
check 0.001 1.0000000000000000000000000000000000000001 65 "1.(39 zeros)1 is not a multiple of 0.001"
check 0.001 1.0000000000000000000000000000000000000000 0 "1.(40 zeros) is"
check 0.01 1e-400 65 "1e-400 is not a multiple of 0.01"
check 0.001 "1$(printf '%05000d' 0)" 0 "1 and 5,000 zeros is a multiple of 0.001"
check 3 "1$(printf '%05000d' 0)" 65 "...not of 3"
check 1e-400 3e-400 0 "a divisor of 1e-400 is positive, and 3e-400 a multiple of it"
check 1e-400 3.5e-400 65 "3.5e-400 is not"
done_testing
