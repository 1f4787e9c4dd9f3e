#!/bin/sh
# t-fleet-keep.sh: a fleet that keeps its sessions between runs
# (contrib/examples/fleet-keep): three hosts, each on a server of its own,
# run four commands one after another over one connection each (the
# servers' logs count them); a session whose server process is killed
# between two commands is connected again, once, and the command runs; a
# server gone for good fails its host with both reasons; the others go on.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

EX=${O:-build}/examples/fleet-keep
[ -x "$EX" ] || fx_fail "no $EX (make $EX)"
fx_sshd s1
fx_sshd s2
fx_sshd s3
fx_known_hosts s1 s2 s3 >"$FX_DIR/kh"
fx_inventory_each "$FX_USER" s1 s2 s3 >"$FX_DIR/inv.yml"

# Connections server NAME accepted so far.
conns()
{
	grep -c 'Connection from 127.0.0.1 port' "$FX_DIR/$1/log"
}

# The example reads its commands from a fifo, one at a time.
mkfifo "$FX_DIR/cmds"
"$EX" "$FX_DIR/kh" "$FX_KEY" "$FX_DIR/inv.yml" <"$FX_DIR/cmds" \
    >"$FX_DIR/out" 2>"$FX_DIR/err" &
ex=$!
fx_track $ex
exec 7>"$FX_DIR/cmds"
sent=0
# Send a command and wait until every host reported it.
cmd()
{
	printf '%s\n' "$1" >&7
	sent=$((sent + 3))
	n=0
	until [ "$(grep -c '^== ' "$FX_DIR/out")" -ge $sent ]; do
		n=$((n + 1))
		[ $n -lt 2000 ] || fx_fail "no output for '$1': $(cat \
		    "$FX_DIR/out" "$FX_DIR/err")"
		sleep 0.01
	done
}

cmd 'echo one'
cmd 'echo "$PPID"'
for s in s1 s2 s3; do
	fx_assert_eq 1 "$(conns $s)" "$s: one connection for two commands"
done
fx_assert_eq 6 "$(grep -c '^== .*: ok (exit 0)$' "$FX_DIR/out")" \
    "both commands ok"

# Kill the server process of s2's connection (its shell's parent): the
# next command connects it again, once, and runs there too.
sshd_pid=$(awk '/^\$ echo "\$PPID"/ { on = 1 }
	on && /^== s2: ok/ { getline; print; exit }' "$FX_DIR/out")
[ -n "$sshd_pid" ] || fx_fail "no server pid for s2: $(cat "$FX_DIR/out")"
kill -9 "$sshd_pid"
sleep 0.5
cmd 'echo three'
fx_assert_eq 1 "$(conns s1)" "s1: still one connection"
fx_assert_eq 2 "$(conns s2)" "s2: connected again once"
fx_assert_eq 1 "$(conns s3)" "s3: still one connection"
fx_assert_eq 3 "$(awk '/^\$ echo three/ { on = 1 } on && /^three$/' \
    "$FX_DIR/out" | wc -l)" "three hosts ran the third command"

# Stop s3 for good: its host fails with why its session closed and why
# it could not connect again; s1 and s2 go on.
for p in $(fx__tree "$FX_PID_s3"); do
	kill -9 "$p" 2>/dev/null || true
done
sleep 0.5
cmd 'echo four'
fx_assert_match "^== s3: (refused|unreachable): .*closed.*idle.*; connecting again: .*refused" \
    "$(cat "$FX_DIR/out")" "s3 fails with both reasons"
fx_assert_eq 2 "$(awk '/^\$ echo four/ { on = 1 } on && /^four$/' \
    "$FX_DIR/out" | wc -l)" "the others ran the fourth command"
fx_assert_eq 1 "$(conns s1)" "s1: one connection for four commands"

exec 7>&-
wait $ex || true
fx_assert_eq "" "$(cat "$FX_DIR/err")" "nothing on stderr"
exit 0
