#!/bin/sh
# t-play-fail.sh: drove play when hosts fail: a failed host is dropped from
# the rest of the play while the others finish; ignore_errors keeps it;
# max_fail_percentage and any_errors_fatal stop the later batches; an
# unreachable host; the history record and --rerun ID --failed; Ctrl-C in
# the middle of a task.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd_private s1
fx_sshd_private s2
fx_sshd_private s3
fx_known_hosts s1 s2 s3 >>"$HOME/.ssh/known_hosts"
D=$FX_DATA
fx_inventory_each root s1 s2 s3 >"$FX_DIR/inv.yml"
INV="-i $FX_DIR/inv.yml --db $FX_DIR/drove.db"

# Whether file F exists on host H: yes or no.
there()
{
	fx_in "$1" sh -c "[ -e '$2' ] && echo yes || echo no"
}

# s2 fails the first task: it runs nothing after, s1 and s3 go on.
cat >"$FX_DIR/drop.yml" <<EOF
- hosts: all
  tasks:
    - name: check
      run: test {{ inventory_hostname }} != s2
    - name: tolerated
      run: echo failing on purpose >&2; exit 4
      ignore_errors: true
    - name: after
      run: touch $D/after
EOF
dr $INV play "$FX_DIR/drop.yml"
fx_assert_eq 1 "$FX_RC" "a host failed: exit status"
last=$(printf '%s\n' "$FX_ERR" | tail -1)
fx_assert_match '^s2: failed: rc=1$' "$FX_OUT" "s2 failed"
fx_assert_match '^s1: failed \(ignored\): rc=4$' "$FX_OUT" "ignored failure"
fx_assert_match '^ +failing on purpose$' "$FX_OUT" "the failure's output"
fx_assert_eq "yes no yes" "$(there s1 $D/after) $(there s2 $D/after) \
$(there s3 $D/after)" "who ran the last task"
fx_assert_match '^s2: ok=0 changed=0 unreachable=0 failed=1 skipped=0' \
    "$FX_OUT" "s2 recap"
fx_assert_match '^s3: ok=0 changed=2 unreachable=0 failed=0 skipped=0 ignored=1' \
    "$FX_OUT" "s3 recap"

# The history holds the play with s2 failed; --rerun --failed plays on s2.
dr $INV history
fx_assert_match 'play' "$FX_OUT" "history lists the play"
id=$(printf '%s\n' "$FX_OUT" | awk '/play/ { print $1; exit }')
fx_in s1 rm -f $D/after
fx_in s3 rm -f $D/after
fx_assert_eq "run $id; rerun the failed hosts: drove play --rerun $id --failed" \
    "$last" "the play's id and the hint, last"
dr $INV play --rerun "$id" --failed
fx_assert_eq 1 "$FX_RC" "rerun exit status (s2 fails again)"
fx_assert_match '^s2: failed' "$FX_OUT" "rerun runs s2"
fx_assert_no_match '^s[13]:' "$FX_OUT" "rerun runs only s2"

# max_fail_percentage 0 with batches of one: s1 fails, s2 and s3 never run.
cat >"$FX_DIR/stop.yml" <<EOF
- hosts: all
  serial: 1
  max_fail_percentage: 0
  tasks:
    - name: first
      run: test {{ inventory_hostname }} != s1
    - name: mark
      run: touch $D/stop
EOF
dr $INV play "$FX_DIR/stop.yml"
fx_assert_eq 1 "$FX_RC" "stopped play exit status"
fx_assert_match '^play stopped: 1 of 1 hosts of batch 1 failed, over max_fail_percentage 0$' \
    "$FX_OUT" "the stop is reported"
fx_assert_eq "no no no" "$(there s1 $D/stop) $(there s2 $D/stop) \
$(there s3 $D/stop)" "no later batch ran"
fx_assert_no_match '^s[23]:' "$FX_OUT" "s2 and s3 ran"

# The same threshold is not passed when the failure is the last host's.
sed 's/!= s1/!= s3/' "$FX_DIR/stop.yml" >"$FX_DIR/late.yml"
dr $INV play "$FX_DIR/late.yml"
fx_assert_eq 1 "$FX_RC"
fx_assert_eq "yes yes no" "$(there s1 $D/stop) $(there s2 $D/stop) \
$(there s3 $D/stop)" "earlier batches ran"

# any_errors_fatal: one failure in a batch of three stops the play.
cat >"$FX_DIR/fatal.yml" <<EOF
- hosts: all
  any_errors_fatal: true
  tasks:
    - name: first
      run: test {{ inventory_hostname }} != s3
    - name: mark
      run: touch $D/fatal
EOF
dr $INV play "$FX_DIR/fatal.yml"
fx_assert_eq 1 "$FX_RC"
fx_assert_match '^play stopped: a host failed and any_errors_fatal is set$' \
    "$FX_OUT"
fx_assert_eq "no no no" "$(there s1 $D/fatal) $(there s2 $D/fatal) \
$(there s3 $D/fatal)" "any_errors_fatal ran a later task"

# A failure's output is capped without -v and whole with it.
cat >"$FX_DIR/loud.yml" <<EOF
- hosts: s1
  tasks:
    - name: loud
      run: head -c 5000 /dev/zero | tr '\\0' x; exit 1
EOF
dr $INV --no-history play "$FX_DIR/loud.yml"
fx_assert_eq 1 "$FX_RC"
fx_assert_match '^    \[2952 more bytes not shown; -v shows all\]$' "$FX_OUT"
dr $INV --no-history play -v "$FX_DIR/loud.yml"
fx_assert_no_match 'more bytes not shown' "$FX_OUT" "-v caps output"
fx_assert_match "^    x{5000}$" "$FX_OUT" "-v shows it all"

# An unreachable host: exit status 3, the others finish.
port=$(fx_closed_port)
{
	cat "$FX_DIR/inv.yml"
	printf '    gone:\n      ansible_port: %s\n' "$port"
} >"$FX_DIR/inv2.yml"
cat >"$FX_DIR/mark.yml" <<EOF
- hosts: all
  tasks:
    - name: mark
      run: touch $D/mark
EOF
dr -i "$FX_DIR/inv2.yml" --no-history play --limit 's1,gone' \
    "$FX_DIR/mark.yml"
fx_assert_eq 3 "$FX_RC" "unreachable exit status"
fx_assert_match '^gone: unreachable' "$FX_OUT"
fx_assert_match '^gone: ok=0 changed=0 unreachable=1 failed=0' "$FX_OUT"
fx_assert_eq yes "$(there s1 $D/mark)" "s1 went on"

# Ctrl-C in the middle of a task: the task is cancelled, no later task
# starts, the exit status is 130 and the history record is complete.
cat >"$FX_DIR/int.yml" <<EOF2
- hosts: s1
  tasks:
    - name: long
      run: touch $D/started; sleep 30
    - name: later
      run: touch $D/later
EOF2
"$DROVE" --no-agent $INV play "$FX_DIR/int.yml" >"$FX_DIR/int.out" \
    2>"$FX_DIR/int.err" </dev/null &
pid=$!
timeout 60 nsenter -t "$(cat "$FX_DIR/s1/pid")" -m -r --wd=/ -- sh -c \
    "until [ -e '$D/started' ]; do sleep 0.01; done" ||
    fx_fail "the first task did not start"
kill -INT $pid
rc=0
wait $pid || rc=$?
cat "$FX_DIR/int.out" "$FX_DIR/int.err" >&2
fx_assert_eq 130 "$rc" "exit status after Ctrl-C"
fx_assert_eq no "$(there s1 $D/later)" "no later task"
fx_assert_match '^s1: failed: interrupted' "$(cat "$FX_DIR/int.out")"
fx_assert_match '^s1: ok=0 changed=0 unreachable=0 failed=1 ' \
    "$(cat "$FX_DIR/int.out")" "the recap counts it"
dr $INV history --limit 1
fx_assert_match ' cancelled +0/1 ok ' "$FX_OUT" "the record is cancelled"
fx_assert_no_match 'incomplete' "$FX_OUT" "and complete"
