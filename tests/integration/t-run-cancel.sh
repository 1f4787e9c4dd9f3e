#!/bin/sh
# t-run-cancel.sh: Ctrl-C (SIGINT) during a run: running hosts are closed,
# hosts not yet started are reported as cancelled, the summary is printed,
# and the exit status is 130.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
dr_inventory s1 6
"$DROVE" --no-agent -i "$FX_DIR/inv.yml" -f 3 run all \
    'echo started; sleep 20' >"$FX_DIR/out" 2>"$FX_DIR/err" </dev/null &
pid=$!
fx_track $pid
n=0
while [ "$(cat "$FX_DIR/out" 2>/dev/null | grep -c started)" -lt 3 ] &&
    [ $n -lt 1000 ]; do
	sleep 0.01
	n=$((n + 1))
done
fx_assert_eq 3 "$(grep -c started "$FX_DIR/out")" "three hosts running"
kill -INT $pid
rc=0
wait $pid || rc=$?
err=$(cat "$FX_DIR/err")
echo "$err"
fx_assert_eq 130 "$rc" "exit status after SIGINT"
fx_assert_match '^6 hosts: 6 cancelled$' "$err" "summary printed"
fx_assert_match '^cancelled \(3\): h\[0001-0003\]: interrupted during job$' "$err"
fx_assert_match '^cancelled \(3\): h\[0004-0006\]: interrupted before it started$' "$err"
