#!/bin/sh
# t-history.sh: "drove run" writes a history record (into a store created
# 0600 even when the hosts come from -i); "drove history" lists records
# with filters (pattern, host glob, status, since, limit, JSON); "history
# show" prints the per-host table and exact outputs, a capped output saying
# so; "run --rerun ID --failed" runs on exactly the hosts that failed and
# "--rerun ID" on all with the recorded command; a host gone from the
# inventory is an error naming it; "history diff" names the hosts whose
# status or output changed; --no-history and DROVE_NO_HISTORY=1 write
# nothing; a drove killed mid-run leaves an incomplete record.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

DROVE_HOME=$FX_DIR/drove-home
export DROVE_HOME
DB=$DROVE_HOME/drove.db

fx_sshd A
fx_sshd B
fx_known_hosts A B >>"$HOME/.ssh/known_hosts"
PA=$FX_PORT_A
PB=$FX_PORT_B
CLOSED=$(fx_closed_port)
cat >"$FX_DIR/inv.yml" <<EOF
all:
  vars:
    ansible_user: $FX_USER
    ansible_ssh_private_key_file: $FX_KEY
    ansible_host: 127.0.0.1
  hosts:
    a1: {ansible_port: $PA}
    a2: {ansible_port: $PA}
    b1: {ansible_port: $PB}
    b2: {ansible_port: $PB}
    c1: {ansible_port: $CLOSED}
EOF
# the servers' ports tell the hosts apart: each says its file's text and
# fails while its fail- file exists
S=$FX_DIR/state
mkdir -m 755 "$S"
echo "hello a" >"$S/say-$PA"
echo "hello b" >"$S/say-$PB"
: >"$S/fail-$PB"
chmod 644 "$S"/*
CMD="p=\${SSH_CONNECTION##* }; cat $S/say-\$p; test ! -e $S/fail-\$p"

# run 1: a ok, b failed, c refused
dr -i "$FX_DIR/inv.yml" --retries 0 run all "$CMD"
fx_assert_eq 3 "$FX_RC" "mixed outcomes"
fx_assert_eq "600" "$(stat -c %a "$DB")" "store made 0600 for -i hosts"

dr history
fx_assert_eq 0 "$FX_RC"
fx_assert_eq 2 "$(printf '%s\n' "$FX_OUT" | wc -l)" "a header and one run"
fx_assert_match "^1 +[0-9-]+ [0-9:]+ +$(id -un) +failed +2/5 ok +[0-9.]+s +drove run --no-agent -i $FX_DIR/inv.yml --retries 0 all 'p=" "$FX_OUT"

dr history show 1
fx_assert_eq 0 "$FX_RC"
fx_assert_match "^run 1: drove run --no-agent -i " "$FX_OUT"
fx_assert_match "^started .* failed \\(exit 3\\) after " "$FX_OUT"
fx_assert_match "^pattern: all$" "$FX_OUT"
fx_assert_match "^output kept: 65536 bytes a host a stream$" "$FX_OUT"
fx_assert_eq "a1 ok 0
a2 ok 0
b1 failed 1
b2 failed 1
c1 refused -1" "$(printf '%s\n' "$FX_OUT" | sed -n '/^HOST /,/^---/p' |
    grep -v '^HOST\|^---' | awk '{print $1, $2, $3}')" "host table"
fx_assert_match "^c1 +refused .*refused" "$FX_OUT" "the error is kept"
fx_assert_eq "--- a1 stdout
hello a
--- a2 stdout
hello a
--- b1 stdout
hello b
--- b2 stdout
hello b" "$(printf '%s\n' "$FX_OUT" | sed -n '/^---/,$p')" "outputs"

# run 2: --rerun 1 --failed runs on exactly b1, b2 and c1
dr -i "$FX_DIR/inv.yml" --retries 0 run --rerun 1 --failed
fx_assert_eq 3 "$FX_RC"
fx_assert_eq "b1: hello b
b2: hello b" "$(printf '%s\n' "$FX_OUT" | sort)" "only the failed hosts"
fx_assert_no_match "^a" "$FX_OUT"
dr history show 2
fx_assert_eq "b1 b2 c1" "$(echo $(printf '%s\n' "$FX_OUT" |
    sed -n '/^HOST /,/^---/p' | grep -v '^HOST\|^---' | awk '{print $1}'))"
fx_assert_match "^pattern: b\\[1-2\\],c1$" "$FX_OUT"
fx_assert_match "^command: p=" "$FX_OUT" "the recorded command"

# a failed host gone from the inventory is an error naming it
grep -v "b2:" "$FX_DIR/inv.yml" >"$FX_DIR/small.yml"
dr -i "$FX_DIR/small.yml" run --rerun 1 --failed
fx_assert_eq "2 drove: hosts of run 1 not in the inventory: b2" \
    "$FX_RC $FX_ERR"
dr -i "$FX_DIR/inv.yml" run --rerun 99 --failed
fx_assert_eq "2 drove: no run 99 in the history" "$FX_RC $FX_ERR"
dr -i "$FX_DIR/inv.yml" run --failed all true
fx_assert_eq 2 "$FX_RC" "--failed needs --rerun"

# run 3: b is fixed and a says something else; --rerun 1 runs the same
# command on every host of run 1, and diff names the changes
rm "$S/fail-$PB"
echo "bye a" >"$S/say-$PA"
dr -i "$FX_DIR/inv.yml" --retries 0 run --rerun 1
fx_assert_eq 3 "$FX_RC"
fx_assert_eq "a1: bye a
a2: bye a
b1: hello b
b2: hello b" "$(printf '%s\n' "$FX_OUT" | sort)"
dr history diff 1 3
fx_assert_eq 1 "$FX_RC" "diff: changes"
fx_assert_eq "a1: output changed
--- a1 stdout, run 1
+++ a1 stdout, run 3
@@ -1 +1 @@
-hello a
+bye a
a2: output changed
--- a2 stdout, run 1
+++ a2 stdout, run 3
@@ -1 +1 @@
-hello a
+bye a
b1: failed -> ok
b2: failed -> ok" "$FX_OUT"
dr history diff 2 3
fx_assert_eq "a1: only in run 3
a2: only in run 3
b1: failed -> ok
b2: failed -> ok" "$FX_OUT"
dr history diff 1 1
fx_assert_eq "0 no host changed status or output" "$FX_RC $FX_OUT"

# run 4: a rerun with a command of its own, output over the cap
dr -i "$FX_DIR/inv.yml" run --rerun 3 --failed -- \
    'head -c 70000 /dev/zero | tr "\0" x; echo done >&2'
fx_assert_eq 3 "$FX_RC" "c1 still refused"
fx_assert_eq "" "$(printf '%s\n' "$FX_OUT" | grep -v '^c1')" "c1 only"
dr -i "$FX_DIR/inv.yml" run a1 'head -c 70000 /dev/zero | tr "\0" x'
fx_assert_eq 0 "$FX_RC"
dr history show 5
fx_assert_match "^--- a1 stdout \\(capped: 65536 of 70000 bytes kept\\)$" \
    "$FX_OUT"
fx_assert_eq 65536 "$(printf '%s\n' "$FX_OUT" | grep '^xx*$' |
    tr -d '\n' | wc -c | tr -d ' ')" "65536 bytes kept"
dr history show 5 --json
fx_assert_match '"out_bytes":70000,"err_bytes":0,"stdout":"x+","stderr":"","truncated":true' "$FX_OUT"
fx_assert_eq 65536 "$(printf '%s\n' "$FX_OUT" |
    sed 's/.*"stdout":"\(x*\)".*/\1/' | tr -d '\n' | wc -c | tr -d ' ')" \
    "65536 bytes in JSON"

dr -i "$FX_DIR/inv.yml" run --rerun 5 --failed
fx_assert_eq "0 drove: run 5 had no failed hosts" "$FX_RC $FX_ERR"

# the list: filters and JSON
dr history
fx_assert_eq "5 4 3 2 1" "$(echo $(printf '%s\n' "$FX_OUT" | sed 1d |
    awk '{print $1}'))" "newest first"
dr history --limit 2
fx_assert_eq "5 4" "$(echo $(printf '%s\n' "$FX_OUT" | sed 1d |
    awk '{print $1}'))"
dr history --status ok
fx_assert_eq "5" "$(echo $(printf '%s\n' "$FX_OUT" | sed 1d |
    awk '{print $1}'))"
dr history --status refused
fx_assert_eq "4 3 2 1" "$(echo $(printf '%s\n' "$FX_OUT" | sed 1d |
    awk '{print $1}'))" "a host's status"
dr history 'b*'
fx_assert_eq "3 2 1" "$(echo $(printf '%s\n' "$FX_OUT" | sed 1d |
    awk '{print $1}'))" "a host glob"
dr history a1
fx_assert_eq "5 3 1" "$(echo $(printf '%s\n' "$FX_OUT" | sed 1d |
    awk '{print $1}'))" "a run's pattern or host"
dr history --since 1h
fx_assert_eq 6 "$(printf '%s\n' "$FX_OUT" | wc -l)" "since an hour ago"
dr history --since 2999-01-01
fx_assert_eq 1 "$(printf '%s\n' "$FX_OUT" | wc -l)" "nothing since 2999"
dr history --since yesterday
fx_assert_eq 2 "$FX_RC" "bad --since"
dr history --json --limit 1
fx_assert_match '^\{"id":5,"started_ms":[0-9]+,"ended_ms":[0-9]+,"exit_code":0,"kind":"run","user":"[^"]+","line":"drove run --no-agent -i [^"]+ a1 .*","command":"head -c 70000 /dev/zero \| tr \\"\\\\0\\" x","pattern":"a1","status":"ok","hosts":1,"ok":1,"bytes":70000,"cap":65536\}$' "$FX_OUT"
dr history show 42
fx_assert_eq "2 drove history: no run 42 in the history" "$FX_RC $FX_ERR"

# opting out writes nothing
dr -i "$FX_DIR/inv.yml" run --no-history a1 true
fx_assert_eq 0 "$FX_RC"
DROVE_NO_HISTORY=1 dr -i "$FX_DIR/inv.yml" run a1 true
fx_assert_eq 0 "$FX_RC"
dr history --limit 1
fx_assert_match "^5 " "$FX_OUT" "no new record"

# a drove killed mid-run leaves its record incomplete
"$DROVE" --no-agent -i "$FX_DIR/inv.yml" run a1 'sleep 30' \
    </dev/null >/dev/null 2>&1 &
pid=$!
n=0
until "$DROVE" history --status incomplete 2>/dev/null |
    grep -q '^6 .* 0/1 ok '; do
	n=$((n + 1))
	[ $n -lt 1000 ] || fx_fail "no incomplete record"
	sleep 0.01
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null
dr history --limit 1
fx_assert_match "^6 +.* incomplete +0/1 ok +- +drove run " "$FX_OUT" \
    "a killed run is recorded with its host"
dr -i "$FX_DIR/inv.yml" run a1 true
dr history --limit 2
fx_assert_eq "7 ok
6 incomplete" "$(printf '%s\n' "$FX_OUT" | sed 1d | awk '{print $1, $5}')" \
    "the store works after the kill"

# push and pull write their records too.
echo pushed >"$FX_DIR/p.txt"
dr -i "$FX_DIR/inv.yml" push a1 "$FX_DIR/p.txt" "/tmp/drove-history-$$.txt"
fx_assert_eq 0 "$FX_RC" "push"
dr -i "$FX_DIR/inv.yml" pull a1 "/tmp/drove-history-$$.txt" "$FX_DIR/got"
fx_assert_eq 0 "$FX_RC" "pull"
rm -f "/tmp/drove-history-$$.txt"
dr history --limit 2 --json
fx_assert_match '"kind":"pull"' "$FX_OUT" "a pull record"
fx_assert_match '"kind":"push"' "$FX_OUT" "a push record"
