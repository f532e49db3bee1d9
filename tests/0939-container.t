#!/bin/sh
# The Dockerfile, checked without a Docker daemon: what it copies exists;
# the build stage installs a subset of the Makefile's DEB_PKGS through make
# deps; the run-time packages of the image exist in Debian and provide
# every shared library the built programs link (found with ldd and
# dpkg -S on this Debian machine); the image holds what make install
# installs.  Where a daemon answers, the image is built and a program run in
# it (ERPIPE_DOCKER_BUILD=1: it is slow, and not part of make check).
. "$(dirname "$0")/lib.sh"
D=$ERPIPE_TOP/Dockerfile
ok "a Dockerfile" test -f "$D"
# the instructions, continuation lines joined
sed -e ':a' -e '/\\$/N; s/\\\n[[:space:]]*/ /; ta' "$D" | grep -v '^#' >"$T/inst"
is "$(grep -c '^FROM debian:bookworm' "$T/inst")" 2 "two stages on Debian 12"
for src in $(sed -n 's/^COPY \([^-][^ ]*\) .*/\1/p' "$T/inst"); do
	ok "COPY $src: it exists" test -e "$ERPIPE_TOP/$src"
done
build=$(sed -n 's/.*make deps DEB_PKGS="\([^"]*\)".*/\1/p' "$T/inst")
all=$(make -s -C "$ERPIPE_TOP" -pn 2>/dev/null | sed -n 's/^DEB_PKGS = //p' | head -1)
missing=
for p in $build; do echo " $all " | grep -q " $p " || missing="$missing $p"; done
is "$missing" "" "the build packages are the Makefile's (make deps)"
ok "the build stage runs make and make install into a DESTDIR" grep -q 'make install DESTDIR=/out PREFIX=/usr/local' "$T/inst"
runtime=$(sed -n '/^FROM debian:bookworm-slim$/,$ s/.*apt-get install -y -qq --no-install-recommends \([^&]*\)&&.*/\1/p' "$T/inst" | tail -1)
ok "the image installs run-time packages" test -n "$runtime"
command -v dpkg >/dev/null || { done_testing; exit; }
# shellcheck disable=SC2086
have=$(apt-cache show --no-all-versions $runtime 2>/dev/null | sed -n 's/^Package: //p' | sort -u)
is "$(echo $have)" "$(echo $runtime | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/ $//')" \
	"every run-time package is in Debian"
# every library the programs link, by the package that holds it here
need=
for b in "$ERPIPE_BIN"/*; do
	ldd "$b" | awk '$3 ~ /^\// { print $3 }'
done | grep -Ev '/lib(a|ub|l|t)san\.so' | sort -u >"$T/libs" # not the sanitizers' (SANITIZE=1)
while read -r lib; do readlink -f "$lib"; done <"$T/libs" >"$T/real"
# shellcheck disable=SC2046
need=$(dpkg -S $(cat "$T/real") 2>/dev/null | cut -d: -f1 | sort -u)
# a package the image lacks must come with one it has (a dependency)
deps=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
	--no-replaces --no-enhances $runtime 2>/dev/null | grep -v '^ ' | sed 's/:.*//' | sort -u)
base=$(dpkg-query -W -f='${Package} ${Priority}\n' 2>/dev/null | awk '$2 == "required" { print $1 }')
lack=
for p in $need; do
	echo "$runtime $deps $base" | tr ' ' '\n' | grep -qx "$p" || lack="$lack $p"
done
is "$lack" "" "the run-time packages bring every library the programs link ($(echo $need | wc -w) packages)"
ok "make install puts the examples (k8s, systemd) in the image" test -d "$ERPIPE_TOP/examples/k8s" -a -d "$ERPIPE_TOP/examples/systemd"
if [ "${ERPIPE_DOCKER_BUILD:-0}" = 1 ] && docker info >/dev/null 2>&1; then
	run docker build -q -t erpipe-test "$ERPIPE_TOP" >"$T/build" 2>&1
	is "$st" 0 "docker build"
	like "$(docker run --rm erpipe-test odoo-extract --version 2>&1)" "0\\.[0-9]" "odoo-extract runs in the image"
else
	echo "ok $((_tap_n += 1)) # skip docker build: set ERPIPE_DOCKER_BUILD=1 where a daemon runs"
fi
done_testing
