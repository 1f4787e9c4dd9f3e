#!/bin/sh
# demo.sh: a demo fleet on loopback and a first `drove run` against it.
#
# Usage: sh contrib/demo.sh BINARY     (make demo runs it with build/drove)
#
# Starts one OpenSSH sshd on 127.0.0.1 with the test fixture library, writes
# an inventory of 20 hosts in two groups, web (web01..web10) and db
# (db01..db10), all reaching that sshd, and a known_hosts for it, then runs
# BINARY twice: a command on the web group, and a gathered (-b) run on all 20.
# Everything lives in a temp dir and is stopped and removed on exit; each
# run is stopped after 25 seconds, so the demo ends within a minute.
cd "$(dirname "$0")/.." || exit 1
if [ $# -ne 1 ]; then
	echo "usage: sh contrib/demo.sh BINARY" >&2
	exit 2
fi
case $1 in
/*) drove=$1 ;;
*) drove=$PWD/$1 ;;
esac
[ -x "$drove" ] || { echo "demo: no executable $drove (run make)" >&2; exit 1; }
. tests/fixtures/lib.sh

say()
{
	printf '\n== %s\n' "$*"
}

FX_QUIET=1
fx_init
fx_sshd demo
inv=$FX_DIR/inventory.yml
kh=$FX_DIR/known_hosts
{
	printf 'all:\n  vars:\n    ansible_user: root\n  children:\n'
	for g in web db; do
		printf '    %s:\n      hosts:\n' "$g"
		for i in 01 02 03 04 05 06 07 08 09 10; do
			printf '        %s%s:\n' "$g" "$i"
			printf '          ansible_host: 127.0.0.1\n'
			printf '          ansible_port: %s\n' "$FX_PORT_demo"
		done
	done
} >"$inv"
fx_known_hosts demo >"$kh"

say "A demo fleet: one sshd on 127.0.0.1 port $FX_PORT_demo, 20 inventory" \
    "hosts in groups web and db, all reaching it.  The inventory ($inv):"
sed -n '1,10p' "$inv"
echo "        ..."

say "drove -i INV --known-hosts KH --key KEY run web 'uname -sr; uptime'"
echo "   (the 10 web hosts, in parallel; each output line is prefixed by" \
    "its host)"
rc=0
timeout 25 "$drove" -i "$inv" --known-hosts "$kh" --key "$FX_KEY" \
    run web 'uname -sr; uptime' </dev/null || rc=$?

say "drove -i INV --known-hosts KH --key KEY -g run all 'uname -sr; id -un'"
echo "   (all 20 hosts; -g gathers hosts whose output is identical into one" \
    "block under a host list)"
timeout 25 "$drove" -i "$inv" --known-hosts "$kh" --key "$FX_KEY" -g \
    run all 'uname -sr; id -un' </dev/null || rc=$?

say "Done; stopping the demo sshd and removing $FX_DIR."
exit $rc
