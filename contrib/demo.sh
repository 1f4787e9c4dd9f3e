#!/bin/sh
# demo.sh: a demo fleet on loopback and a first `drove run` against it.
#
# Usage: sh contrib/demo.sh [--keep] BINARY
#        (make demo runs it with build/drove; make demo KEEP=1 with --keep)
#
# Starts one OpenSSH sshd on 127.0.0.1 with the test fixture library, writes
# an inventory of 20 hosts in two groups, web (web01..web10) and db
# (db01..db10), all reaching that sshd, a known_hosts for it, and a drove
# home of its own (DROVE_HOME: its configuration file names the inventory
# and known_hosts, its store keeps the demo's history, never the user's),
# then runs BINARY twice: a command on the web group, and a gathered (-g)
# run on all 20.  Each run is stopped after 60 seconds (a login shell
# that reads a slow ~/.bashrc, as bash does under sshd, costs that on
# every host).
#
# Without --keep, everything lives in a temp dir and is stopped and removed
# on exit.  With --keep the fleet stays up: the demo prints the commands to
# try next (after `export DROVE_HOME=...`) and the script that stops the
# sshd and removes the dir.
cd "$(dirname "$0")/.." || exit 1
keep=0
if [ "${1:-}" = --keep ]; then
	keep=1
	shift
fi
if [ $# -ne 1 ]; then
	echo "usage: sh contrib/demo.sh [--keep] BINARY" >&2
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
DROVE_HOME=$FX_DIR/drove-home
export DROVE_HOME
unset DROVE_CONFIG
mkdir -m 700 "$DROVE_HOME"
{
	printf 'all:\n  vars:\n    ansible_user: root\n    key: %s\n' \
	    "$FX_KEY"
	printf '  children:\n'
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
printf 'inventory = %s\nknown_hosts = %s\n' "$inv" "$kh" \
    >"$DROVE_HOME/config"

say "A demo fleet: one sshd on 127.0.0.1 port $FX_PORT_demo, 20 inventory" \
    "hosts in groups web and db, all reaching it.  The inventory ($inv):"
sed -n '1,12p' "$inv"
echo "        ..."
say "Its own drove home: DROVE_HOME=$DROVE_HOME (the configuration file" \
    "names the inventory and known_hosts; the history stays there):"
cat "$DROVE_HOME/config"

say "drove run web 'uname -sr; uptime'"
echo "   (the 10 web hosts, in parallel; each output line is prefixed by" \
    "its host)"
rc=0
timeout 60 "$drove" run web 'uname -sr; uptime' </dev/null || rc=$?

say "drove -g run all 'uname -sr; id -un'"
echo "   (all 20 hosts; -g gathers hosts whose output is identical into one" \
    "block under a host list)"
timeout 60 "$drove" -g run all 'uname -sr; id -un' </dev/null || rc=$?

if [ $keep = 0 ]; then
	say "Done; stopping the demo sshd and removing $FX_DIR" \
	    "(make demo KEEP=1 keeps it up)."
	exit $rc
fi

# Kept: the sshd runs on after this script; stop.sh stops it by its PID.
cat >"$FX_DIR/stop.sh" <<EOF
#!/bin/sh
# Stop the demo fleet's sshd (by PID) and remove the demo dir.
for p in $(cat "$FX_DIR/pids"); do
	kill -TERM "\$p" 2>/dev/null
done
rm -rf '$FX_DIR'
echo "demo: stopped, $FX_DIR removed"
EOF
trap - EXIT INT TERM
say "The demo fleet stays up.  Try, in this shell or another:"
cat <<EOF
   export DROVE_HOME=$DROVE_HOME
   $drove run web uptime
   $drove -g run all 'uname -sr'
   $drove run all 'test \$(hostname) = x'    # fails: see the rerun hint
   $drove history
   $drove run --rerun last --failed 'echo fixed'
   $drove history show last
   $drove shell web01
   $drove help
EOF
say "Stop it with: sh $FX_DIR/stop.sh"
exit $rc
