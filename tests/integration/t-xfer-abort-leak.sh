#!/bin/sh
# t-xfer-abort-leak.sh: push and pull jobs stopped in the middle of a file
# free their SFTP handle, SFTP channel and queued writes, under valgrind's
# leak checker (LeakSanitizer's in a sanitizer build): a pull past its --timeout, and a push past its --timeout
# whose server stopped answering (its session processes stopped).
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
fx_delayed slow s1 100
fx_inventory_each "$FX_USER" slow >"$FX_DIR/inv.yml"
fx_known_hosts slow >>"$HOME/.ssh/known_hosts"
head -c 50000000 /dev/zero >"$FX_DIR/big"
chmod 644 "$FX_DIR/big"
mkdir "$FX_DIR/dl" "$FX_DIR/up"
chmod 777 "$FX_DIR/up"
# valgrind's leak checker; or, for a sanitizer build (which valgrind
# cannot run), LeakSanitizer's, which reports at exit
leaks='definitely lost|indirectly lost'
vg="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
if ldd "$DROVE" | grep -q libasan; then
	leaks='LeakSanitizer|detected memory leaks'
	vg="env ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
fi
# Under valgrind a login is slow: each gets a minute, not the default 10 s.

# A pull stopped by its --timeout in the middle of the file.
# shellcheck disable=SC2086
fx_run $vg "$DROVE" --no-agent -i "$FX_DIR/inv.yml" --no-history \
    --connect-timeout 60 --timeout 3 pull all "$FX_DIR/big" "$FX_DIR/dl"
dr_summary timeout slow '' "the pull timed out"
fx_assert_no_match "$leaks" "$FX_ERR" "an aborted pull leaks nothing"
fx_assert_eq 1 "$FX_RC" "exit status of a timed-out pull"

# A push whose server stops answering in the middle of the file: its
# --timeout comes, the cleanup it tries cannot finish, and the session is
# aborted with the handle open and writes queued.
# shellcheck disable=SC2086
$vg "$DROVE" --no-agent -i "$FX_DIR/inv.yml" --no-history \
    --connect-timeout 60 --timeout 4 push all "$FX_DIR/big" "$FX_DIR/up/big" \
    >"$FX_DIR/push.out" 2>"$FX_DIR/push.err" </dev/null &
vpid=$!
n=0
until ls -a "$FX_DIR/up" | grep -q '^\.big\.drove-'; do
	n=$((n + 1))
	[ $n -lt 6000 ] || fx_fail "no temporary file appeared"
	sleep 0.01
done
# The session's sshd processes: the listener's children and theirs.
kids=$(ps -o pid= --ppid "$FX_PID_s1")
[ -n "$kids" ] || fx_fail "no session process under sshd $FX_PID_s1"
# shellcheck disable=SC2086
kids=$(fx__tree $kids)
echo "stopping the sessions of s1: $kids" >&2
# shellcheck disable=SC2086
kill -STOP $kids
rc=0
wait $vpid || rc=$?
# shellcheck disable=SC2086
kill -KILL $kids
cat "$FX_DIR/push.out" "$FX_DIR/push.err" >&2
fx_assert_match '^timeout \(1\): slow: ' "$(cat "$FX_DIR/push.err")"
fx_assert_no_match "$leaks" "$(cat "$FX_DIR/push.err")" \
    "an aborted push leaks nothing"
fx_assert_eq 1 "$rc" "exit status of a timed-out push"
