#!/bin/sh
# t-history-rerun.sh: the rerun workflow as a new user meets it: "last"
# wherever a run id goes; --rerun takes the inventory and options recorded
# with the run unless given again (and records them again); a run killed
# with kill -9 is recorded with its hosts, pending, and --rerun --failed
# runs them; a record without hosts is an error for --rerun; history diff
# shows the output diffs.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
dr_inventory s1 3
DROVE_HOME=$FX_DIR/dh
export DROVE_HOME
inv=$FX_DIR/inv.yml
DB=$DROVE_HOME/drove.db

# A run with one failure, then --rerun last --failed without -i: the
# recorded inventory and --retries are used, and recorded again.
dr -i "$inv" --retries 0 run all 'echo one; exit 5'
fx_assert_eq 1 "$FX_RC"
fx_assert_eq "run 1; rerun the failed hosts: drove run --rerun 1 --failed" \
    "$(printf '%s\n' "$FX_ERR" | tail -1)"
dr history show last
fx_assert_eq 0 "$FX_RC" "history show last"
fx_assert_match '^run 1: drove run ' "$FX_OUT"
dr run --rerun last --failed 'echo two'
fx_assert_eq 0 "$FX_RC" "rerun last without -i: the recorded inventory"
fx_assert_eq 3 "$(printf '%s\n' "$FX_OUT" | grep -c '^h000[1-3]: two$')"
dr history show last
fx_assert_match "^run 2: drove run -i $inv --retries 0 --no-agent --rerun last --failed 'echo two'$" \
    "$FX_OUT" "the options taken are recorded"
dr run --rerun last --retries 2
fx_assert_eq 0 "$FX_RC" "a rerun of a rerun"
dr history show last
fx_assert_match "^run 3: drove run -i $inv --no-agent --rerun last --retries 2$" \
    "$FX_OUT" "an option given again wins"
dr -i /nonexistent.yml run --rerun 1
fx_assert_eq 2 "$FX_RC" "an inventory given again wins"
dr -H 127.0.0.1:1 run --rerun 1
fx_assert_eq 2 "$FX_RC" "-H given now: the recorded -i is not taken"
fx_assert_match '^drove: hosts of run 1 not in the inventory: h0001' "$FX_ERR"

# history diff shows the output's diff.
dr history diff 1 2
fx_assert_eq 1 "$FX_RC"
fx_assert_eq "h0001: failed -> ok, output changed
--- h0001 stdout, run 1
+++ h0001 stdout, run 2
@@ -1 +1 @@
-one
+two" "$(printf '%s\n' "$FX_OUT" | sed -n '1,/^+two/p')"
dr history diff last 2
fx_assert_eq 0 "$FX_RC" "diff takes last"

# kill -9 mid-run: the record names its hosts, pending; --rerun --failed
# runs them.
"$DROVE" --no-agent -i "$inv" run all 'sleep 60' </dev/null >/dev/null \
    2>&1 &
pid=$!
n=0
until dr history show last && printf '%s\n' "$FX_OUT" |
    grep -q '^run 4: .*sleep 60' && [ "$(printf '%s\n' "$FX_OUT" |
    grep -c '^h000[1-3] *pending')" = 3 ]; do
	n=$((n + 1))
	[ $n -lt 500 ] || fx_fail "run 4 never recorded its hosts"
	sleep 0.02
done
kill -9 $pid
wait $pid || true
dr history show 4
fx_assert_match '^started .* incomplete' "$FX_OUT"
dr run --rerun 4 --failed true
fx_assert_eq 0 "$FX_RC" "the killed run's hosts run again"
dr history show last
fx_assert_eq 3 "$(printf '%s\n' "$FX_OUT" | grep -c '^h000[1-3] *ok')"

# A record without hosts cannot be run again; one without failed hosts
# has nothing to do.
sqlite3 "$DB" 'DELETE FROM run_hosts WHERE run = 4'
dr run --rerun 4
fx_assert_eq 2 "$FX_RC" "no hosts: an error"
fx_assert_eq "drove: run 4 has no hosts recorded: nothing to run again" \
    "$FX_ERR"
dr run --rerun 5 --failed
fx_assert_eq "0 drove: run 5 had no failed hosts" "$FX_RC $FX_ERR"

# replay last without a recording says so.
dr replay last
fx_assert_eq "1 drove: no session recorded" "$FX_RC $FX_ERR"
exit 0
