#!/bin/sh
# t-run-first-output.sh: output as a new user meets it: "| head -2" ends
# the run quietly (exit 141, recorded as closed); colour is decided per
# stream (stdout on a terminal, stderr redirected: no escapes in the file);
# a host that did not succeed is said once, in the summary, on a terminal
# or not (-q, which has no summary, says it as the host ends); unknown
# host keys get the advice once, after the summary, with drove's own
# keyscan; push failures name the target, so identical ones fold; a
# run with failed hosts ends with how to rerun them.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
dr_inventory s1 3
DROVE_HOME=$FX_DIR/dh
export DROVE_HOME
inv=$FX_DIR/inv.yml

# 7. | head -2: quiet, 141, the record says why.
{ "$DROVE" --no-agent -i "$inv" run all 'seq 200000' 2>"$FX_DIR/err"
    echo $? >"$FX_DIR/rc"; } | head -2 >"$FX_DIR/out"
fx_assert_eq 2 "$(wc -l <"$FX_DIR/out")"
fx_assert_eq 141 "$(cat "$FX_DIR/rc")" "exit as SIGPIPE would"
fx_assert_eq "" "$(cat "$FX_DIR/err")" "quiet: no error, no summary"
dr history --limit 1
fx_assert_match '^[0-9]+ .* closed +0/3 ok ' "$FX_OUT" "recorded as closed"

# 8. Colour per stream: stdout on the terminal is coloured, stderr sent to
# a file is not.
dr_tmux "'$DROVE' --no-agent -i '$inv' run all 'echo out; echo err >&2' 2>'$FX_DIR/err'"
dr_tmux_wait '^h000[1-3]: +out$'
dr_tmux_end
fx_assert_eq 0 "$FX_RC"
fx_assert_match '^h0003: err$' "$(cat "$FX_DIR/err")"
fx_assert_eq 0 "$(grep -c "$(printf '\033')" "$FX_DIR/err")" \
    "no escapes in a redirected stderr"
dr_tmux "'$DROVE' --no-agent -i '$inv' run all 'echo out' >'$FX_DIR/out'"
dr_tmux_end
fx_assert_eq 0 "$(grep -c "$(printf '\033')" "$FX_DIR/out")" \
    "no escapes in a redirected stdout"

# 9. On a terminal a host never reached is said once, in the summary (the
# status line counts it meanwhile), not also as it fails.
dr_tmux "'$DROVE' --no-agent --no-history -i '$inv' -H 127.0.0.1:$(fx_closed_port) --retries 0 run all 'echo hi'"
dr_tmux_end
fx_assert_eq 3 "$FX_RC"
fx_assert_eq 3 "$(printf '%s\n' "$FX_OUT" | grep -Ec '^h000[1-3]: +hi$')"
fx_assert_eq 1 "$(printf '%s\n' "$FX_OUT" | grep -c 'connection refused')" \
    "the failure once"
fx_assert_match '^refused \(1\): 127.0.0.1: connect to ' "$FX_OUT"

# 9. Without a terminal too: a failed command and a host never reached,
# each said once, in the summary.  -q has no summary: there each host's
# failure is said as it ends.
closed=$(fx_closed_port)
dr --no-history -i "$inv" -H "127.0.0.1:$closed" --retries 0 run all 'exit 4'
fx_assert_eq 3 "$FX_RC"
fx_assert_eq 1 "$(printf '%s\n' "$FX_ERR" | grep -c 'exit 4')" \
    "a failed command once"
fx_assert_eq 1 "$(printf '%s\n' "$FX_ERR" | grep -c 'connection refused')" \
    "a refused host once"
dr_summary failed 'h\[0001-0003\]' 'exit 4$'
dr_summary refused 127.0.0.1 "connect to 127.0.0.1 port $closed: "
dr --no-history -i "$inv" -H "127.0.0.1:$closed" --retries 0 -q \
    run all 'exit 4'
fx_assert_eq 3 "$FX_RC" "-q"
for h in h0001 h0002 h0003; do
	fx_assert_match "^$h: +exit 4\$" "$FX_ERR" "-q: $h as it ends"
done
fx_assert_match "^127.0.0.1: refused: connect to 127.0.0.1 port $closed: " \
    "$FX_ERR" "-q: the refused host as it ends"
fx_assert_no_match '^(failed|refused) \(' "$FX_ERR" "-q: no summary"

# 9. Unknown keys: per host the key, the advice once, after the summary.
: >"$HOME/.ssh/known_hosts"
dr -i "$inv" run all 'echo hi'
fx_assert_eq 3 "$FX_RC"
fx_assert_eq 0 "$(printf '%s\n' "$FX_ERR" | grep -c 'ssh-keyscan\|to trust it')" \
    "no per-host advice, no ssh-keyscan >>"
fx_assert_eq 1 "$(printf '%s\n' "$FX_ERR" | grep -c 'drove keyscan')" \
    "the advice once"
fx_assert_eq "to trust the unknown host keys, compare the fingerprints above, then run: drove keyscan --append -i $inv 'h[0001-0003]' (or run again with --host-key-check accept-new)" \
    "$(printf '%s\n' "$FX_ERR" | tail -2 | head -1)" "after the summary"
advice=$(printf '%s\n' "$FX_ERR" | tail -2 | head -1 |
    sed 's/.*then run: drove //; s/ (or run again.*//')
eval "dr --no-history $advice"
fx_assert_eq 0 "$FX_RC" "the advice works"
dr -i "$inv" run all 'echo hi'
fx_assert_eq 0 "$FX_RC" "the keys are known now"

# 14. The run's id after every run; for failed hosts, how to rerun them.
dr -i "$inv" run all 'exit 4'
fx_assert_eq 1 "$FX_RC"
id=$(dr history --limit 1 >/dev/null; printf '%s\n' "$FX_OUT" | awk 'NR == 2 {print $1}')
fx_assert_eq "run $id; rerun the failed hosts: drove run --rerun $id --failed" \
    "$(printf '%s\n' "$FX_ERR" | tail -1)"
dr -i "$inv" run all true
fx_assert_no_match 'rerun' "$FX_ERR" "no hint when all are ok"
fx_assert_eq "run $((id + 1)) (drove history show $((id + 1)))" \
    "$(printf '%s\n' "$FX_ERR" | tail -1)" "the id when all are ok"

# 10. A push that fails alike on every host names the target and folds.
echo x >"$FX_DIR/small.txt"
dr -i "$inv" push all "$FX_DIR/small.txt" /etc/
fx_assert_eq 1 "$FX_RC"
fx_assert_match '^failed \(3\): h\[0001-0003\]: create /etc/small.txt: permission denied$' \
    "$FX_ERR" "one summary line"
fx_assert_eq "run $((id + 2)); rerun the failed hosts: drove push --rerun $((id + 2)) --failed" \
    "$(printf '%s\n' "$FX_ERR" | tail -1)"
exit 0
