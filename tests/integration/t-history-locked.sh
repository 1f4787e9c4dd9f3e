#!/bin/sh
# t-history-locked.sh: another process holding the store's write lock
# (another drove writing its history; here sqlite3 in a transaction) does
# not stall a run: the hosts go on and end while the lock is held, and the
# history record is written once the lock is free.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

DB=$FX_DIR/drove.db
fx_sshd s1
dr_inventory s1 3
G=$FX_DIR/gate
mkdir -m 777 "$G"
# The first host to get here waits for go1, the others for go2.
cat >"$FX_DIR/wait.sh" <<SH
if mkdir "$G/first" 2>/dev/null; then w=go1; else w=go2; fi
while ! [ -e "$G/\$w" ]; do sleep 0.05; done
echo "done \$w"
SH
chmod 644 "$FX_DIR/wait.sh"

dr -i "$FX_DIR/inv.yml" --db "$DB" run h0001 true
fx_assert_eq 0 "$FX_RC" "a first run makes the store"
"$DROVE" --no-agent -i "$FX_DIR/inv.yml" --db "$DB" -o "$FX_DIR/o" \
    run all "sh $FX_DIR/wait.sh" \
    >"$FX_DIR/run.out" 2>"$FX_DIR/run.err" </dev/null &
dpid=$!
fx_track $dpid
# Wait for the run's record, then take the write lock and keep it.
n=0
until [ "$(sqlite3 "$DB" 'SELECT count(*) FROM runs' 2>/dev/null)" = 2 ]; do
	n=$((n + 1))
	[ $n -lt 3000 ] || fx_fail "no history record for the run"
	sleep 0.01
done
mkfifo "$FX_DIR/sql.in"
sqlite3 "$DB" <"$FX_DIR/sql.in" >"$FX_DIR/sql.out" 2>&1 &
fx_track $!
exec 8>"$FX_DIR/sql.in"
# sqlite3 gives up on a busy store at once unless told to wait, and the run
# may be writing at that moment.
echo '.timeout 20000' >&8
echo 'BEGIN IMMEDIATE;' >&8
n=0
until ! sqlite3 -cmd '.timeout 0' "$DB" 'BEGIN IMMEDIATE; ROLLBACK;' \
    >/dev/null 2>&1; do
	n=$((n + 1))
	[ $n -lt 3000 ] || fx_fail "sqlite3 did not take the lock: \
$(cat "$FX_DIR/sql.out")"
	sleep 0.01
done
# One host ends a second after the record began, so its history row is
# due at once (see history.h); then the two others.
sleep 1.1
touch "$G/go1"
n=0
until [ "$(ls "$FX_DIR/o"/*.status 2>/dev/null | wc -l)" -ge 1 ]; do
	n=$((n + 1))
	[ $n -lt 3000 ] || fx_fail "the first host did not end"
	sleep 0.01
done
touch "$G/go2"
n=0
while [ "$(ls "$FX_DIR/o"/*.status | wc -l)" -lt 3 ]; do
	n=$((n + 1))
	# the store waits 30 s for a lock: a stalled loop shows well before
	[ $n -lt 2000 ] || fx_fail "the hosts did not end while the store \
was locked: $(ls "$FX_DIR/o")"
	sleep 0.01
done
# The lock goes; the run ends and its record has every host.
echo 'ROLLBACK;' >&8
exec 8>&-
rc=0
wait $dpid || rc=$?
cat "$FX_DIR/run.out" "$FX_DIR/run.err" >&2
fx_assert_eq 0 "$rc" "the run succeeded"
fx_assert_no_match 'warning' "$(cat "$FX_DIR/run.err")" "no history warning"
fx_assert_eq 3 "$(sqlite3 "$DB" 'SELECT count(*) FROM run_hosts WHERE run = 2')" \
    "every host is in the history"
fx_assert_eq 0 "$(sqlite3 "$DB" 'SELECT exit_code FROM runs WHERE id = 2')" \
    "the record is complete"
