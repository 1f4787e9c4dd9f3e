#!/bin/sh
# t-run-outdir-slow.sh: -o files are written off the loop thread: a host's
# file that cannot be opened for now (a FIFO nobody reads, the slowest of
# disks) holds up no host; the files are written once they can be.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
dr_inventory s1 2
mkdir "$FX_DIR/o"
mkfifo "$FX_DIR/o/h0001.out"
G=$FX_DIR/gate
mkdir -m 777 "$G"
# each host's command leaves a mark: the first a, the second b
"$DROVE" --no-agent -i "$FX_DIR/inv.yml" --no-history -o "$FX_DIR/o" \
    run all "mkdir $G/a 2>/dev/null || mkdir $G/b; echo out" \
    >"$FX_DIR/run.out" 2>"$FX_DIR/run.err" </dev/null &
dpid=$!
fx_track $dpid
n=0
until [ -d "$G/a" ] && [ -d "$G/b" ]; do
	n=$((n + 1))
	# nothing else to wait for: a stalled loop never gets there
	[ $n -lt 2000 ] || fx_fail "the hosts did not run while h0001's \
file could not be opened"
	sleep 0.01
done
# a reader at last (this shell holds the FIFO open both ways, so every
# open drove makes succeeds and the bytes wait in the pipe)
exec 9<>"$FX_DIR/o/h0001.out"
rc=0
wait $dpid || rc=$?
dd bs=65536 count=1 iflag=nonblock <&9 >"$FX_DIR/fifo.got" 2>/dev/null
exec 9>&-
cat "$FX_DIR/run.out" "$FX_DIR/run.err" >&2
fx_assert_eq 0 "$rc" "the run ends once the file is read"
fx_assert_eq "out" "$(cat "$FX_DIR/fifo.got")" "h0001's output reached it"
fx_assert_eq "out" "$(cat "$FX_DIR/o/h0002.out")"
fx_assert_match '^ok' "$(cat "$FX_DIR/o/h0002.status")"
