#!/bin/sh
# t-fault-lost.sh: a connection lost after the command's EOF but before its
# exit status is a failure ("connection lost before the command's exit
# status"), never "ok, exit 0": for run (OpenSSH and dropbear), for shell,
# and for push's "mv -f" that replaces an existing file (OpenSSH, whose
# ForceCommand lets a script stand in for mv).  The command closes its
# output, leaves a mark, and sleeps; the test then kills the server's
# session processes by PID (fx_kill_sessions), or has the fault proxy
# reset the connection.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s
fx_dropbear db
fx_known_hosts s db >>"$HOME/.ssh/known_hosts"
fx_inventory_each "$FX_USER" s db >"$FX_DIR/inv.yml"
chmod 777 "$FX_DIR"

# lost SERVER MARK CMD...: run CMD (drove) in the background, wait for the
# mark the remote command leaves once its output is closed, give drove a
# second to read the EOF, kill SERVER's sessions; set FX_RC, FX_OUT, FX_ERR.
lost()
{
	_srv=$1 _mark=$2
	shift 2
	rm -f "$_mark"
	echo "fx: run: $*" >&2
	"$@" </dev/null >"$FX_DIR/lost.out" 2>"$FX_DIR/lost.err" &
	_dpid=$!
	_n=0
	while ! [ -e "$_mark" ]; do
		_n=$((_n + 1))
		[ $_n -lt 3000 ] || fx_fail "no mark $_mark"
		fx__alive $_dpid || fx_fail "drove ended early: \
$(cat "$FX_DIR/lost.err")"
		fx__tick
	done
	sleep 1
	fx_kill_sessions "$_srv"
	FX_RC=0
	wait $_dpid || FX_RC=$?
	FX_OUT=$(cat "$FX_DIR/lost.out")
	FX_ERR=$(cat "$FX_DIR/lost.err")
	printf 'fx: exit %s\n--- stdout:\n%s\n--- stderr:\n%s\n---\n' \
	    "$FX_RC" "$FX_OUT" "$FX_ERR" >&2
}

lostmsg="connection lost before the command's exit status"
for srv in s db; do
	m=$FX_DIR/mark-$srv
	lost $srv "$m" timeout 60 "$DROVE" --no-agent -i "$FX_DIR/inv.yml" \
	    --json run $srv "exec >/dev/null 2>&1; touch $m; sleep 6; exit 5"
	fx_assert_no_match '"status":"ok"' "$FX_OUT" "$srv: not ok"
	fx_assert_match "\"host\":\"$srv\",\"status\":\"error\",\"exit\":null" \
	    "$FX_OUT" "$srv: an error, no exit status"
	fx_assert_match "$lostmsg" "$FX_OUT" "$srv: the reason"
	fx_assert_eq 3 "$FX_RC" "$srv: drove's exit status (an error)"
done

# The same loss made by the fault proxy: a reset of the connection.
fx_fault f s
fx_known_hosts s | sed "s/:$FX_PORT_s /:$FX_PORT_f /" \
    >>"$HOME/.ssh/known_hosts"
fx_inventory_each "$FX_USER" f >"$FX_DIR/inv-f.yml"
m=$FX_DIR/mark-f
"$DROVE" --no-agent -i "$FX_DIR/inv-f.yml" --json run f \
    "exec >/dev/null 2>&1; touch $m; sleep 6; exit 5" </dev/null \
    >"$FX_DIR/f.out" 2>&1 &
dpid=$!
n=0
while ! [ -e "$m" ]; do
	n=$((n + 1))
	[ $n -lt 3000 ] || fx_fail "no mark $m"
	fx__tick
done
sleep 1
fx_fault_cmd f '1 rst'
wait $dpid
fx_assert_match '"status":"error".*'"$lostmsg" "$(cat "$FX_DIR/f.out")" \
    "reset by the proxy: the reason"

# The shell: exit 255 and the reason, not exit 0.
m=$FX_DIR/mark-shell
lost s "$m" timeout 60 "$DROVE" --no-agent -i "$FX_DIR/inv.yml" shell s -- \
    "exec >/dev/null 2>&1; touch $m; sleep 6; exit 5"
fx_assert_eq 255 "$FX_RC" "shell: drove's exit status"
fx_assert_match "^drove: s: $lostmsg" "$FX_ERR" "shell: the reason"

# push over an existing file replaces it with "mv -f"; here a script stands
# in for mv, closes its output, leaves a mark and sleeps.
cat >"$FX_DIR/force.sh" <<EOF
#!/bin/sh
case \$SSH_ORIGINAL_COMMAND in
"mv -f -- "*)
	exec >/dev/null 2>&1
	touch "$FX_DIR/mark-mv"
	sleep 6
	exit 0 ;;
esac
exec /bin/sh -c "\$SSH_ORIGINAL_COMMAND"
EOF
chmod 755 "$FX_DIR/force.sh"
fx_sshd mv ForceCommand="exec $FX_DIR/force.sh" sftp="$FX_SFTP_SERVER"
fx_known_hosts mv >>"$HOME/.ssh/known_hosts"
fx_inventory_each "$FX_USER" mv >"$FX_DIR/inv-mv.yml"
echo new >"$FX_DIR/src"
echo old >"$FX_DIR/dest"
chmod 666 "$FX_DIR/dest"
lost mv "$FX_DIR/mark-mv" timeout 60 "$DROVE" --no-agent \
    -i "$FX_DIR/inv-mv.yml" --json push mv "$FX_DIR/src" "$FX_DIR/dest"
fx_assert_no_match '"changed":true' "$FX_OUT" "push: not changed"
fx_assert_match "$lostmsg" "$FX_OUT" "push: the reason"
fx_assert_eq 3 "$FX_RC" "push: drove's exit status (an error)"
