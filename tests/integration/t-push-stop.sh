#!/bin/sh
# t-push-stop.sh: a push stopped in the middle of a file, by Ctrl-C
# (SIGINT) or by --timeout, removes its temporary file before it closes:
# the old target is intact and nothing is left beside it.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd_private s1 size=256m
fx_delayed slow s1 100
fx_inventory_each "$FX_USER" s1 slow >"$FX_DIR/inv.yml"
fx_known_hosts s1 slow >>"$HOME/.ssh/known_hosts"
D=$FX_DATA
head -c 200000000 /dev/zero >"$FX_DIR/huge"
fx_in s1 sh -c "printf 'old\n' >$D/huge"
old=$(fx_in s1 sh -c "sha256sum <$D/huge")

# Print the temporary files left beside the target.
tmps()
{
	fx_in s1 find "$D" -name '.*.drove-*'
}

# Ctrl-C once the temporary file exists.
"$DROVE" --no-agent -i "$FX_DIR/inv.yml" push s1 "$FX_DIR/huge" "$D/huge" \
    >"$FX_DIR/int.out" 2>"$FX_DIR/int.err" </dev/null &
drove_pid=$!
timeout 60 nsenter -t "$(cat "$FX_DIR/s1/pid")" -m -r --wd=/ -- sh -c \
    "until ls -a '$D' | grep -q '^\.huge\.drove-'; do :; done" ||
    fx_fail "no temporary file appeared"
kill -INT $drove_pid
rc=0
wait $drove_pid || rc=$?
cat "$FX_DIR/int.out" "$FX_DIR/int.err" >&2
fx_assert_eq 130 "$rc" "exit status after SIGINT"
fx_assert_match '^cancelled \(1\): s1: ' "$(cat "$FX_DIR/int.err")"
fx_assert_eq "$old" "$(fx_in s1 sh -c "sha256sum <$D/huge")" "old file intact"
fx_assert_eq "" "$(tmps)" "temporary file removed after SIGINT"

# --timeout in the middle of the file: 200 MB through 100 ms each way take
# far longer than 3 s.
dr -i "$FX_DIR/inv.yml" --timeout 3 push slow "$FX_DIR/huge" "$D/huge"
fx_assert_eq 1 "$FX_RC" "exit status after the timeout"
dr_summary timeout slow 'command timed out after 3.000s$'
fx_assert_eq "$old" "$(fx_in s1 sh -c "sha256sum <$D/huge")" "old file intact"
fx_assert_eq "" "$(tmps)" "temporary file removed after the timeout"
