#!/bin/sh
# t-fault-sftp-kill.sh: the sftp-server process killed in the middle of a
# push or a pull (over a link slowed by the fault proxy, so the transfer
# is under way) ends that host with a failure naming it, and the run ends
# with no --timeout; a pull leaves no file under the final name.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd_private p
fx_fault pp p
fx_known_hosts p | sed "s/:$FX_PORT_p /:$FX_PORT_pp /" \
    >"$HOME/.ssh/known_hosts"
fx_inventory_each "$FX_USER" pp >"$FX_DIR/inv.yml"
head -c 8000000 /dev/urandom >"$FX_DIR/big"
fx_in p sh -c "head -c 8000000 /dev/zero >$FX_DATA/big; chmod 644 $FX_DATA/big"

# kill_mid DIR CMD...: run drove CMD in the background, wait until 1 MB
# went in direction DIR (up or down) on the next connection, kill the
# sftp-server; set FX_RC and FX_OUT.
kill_mid()
{
	_dir=$1
	shift
	_c=$(($(grep -c '^open' "$FX_DIR/pp/events") + 1))
	echo "fx: run: $*" >&2
	"$@" </dev/null >"$FX_DIR/out" 2>"$FX_DIR/err" &
	_dp=$!
	fx_fault_wait pp "^open $_c\$"
	_n=0
	while :; do
		_b=$(fx_fault_stat pp $_c)
		[ "$_dir" = up ] && _b=${_b% *} || _b=${_b#* }
		[ "$_b" -lt 1000000 ] || break
		_n=$((_n + 1))
		[ $_n -lt 3000 ] || fx_fail "no transfer under way"
		fx__tick
	done
	fx_kill_sessions p KILL sftp-server
	FX_RC=0
	wait $_dp || FX_RC=$?
	FX_OUT=$(cat "$FX_DIR/out")
	printf 'fx: exit %s\n%s\n%s\n' "$FX_RC" "$FX_OUT" \
	    "$(cat "$FX_DIR/err")" >&2
}

fx_fault_cmd pp 'new rate up 1000000' 'new rate down 1000000'
kill_mid up timeout 120 "$DROVE" --no-agent -i "$FX_DIR/inv.yml" --json \
    push pp "$FX_DIR/big" "$FX_DATA/pushed"
[ "$FX_RC" -ne 124 ] || fx_fail "push: drove did not end"
fx_assert_no_match '"status":"ok"' "$FX_OUT" "push: not ok"
fx_assert_match '"error":"[^"]*sftp' "$FX_OUT" "push: the reason"
fx_in p test ! -e "$FX_DATA/pushed" ||
    fx_fail "push: a file under the final name"

kill_mid down timeout 120 "$DROVE" --no-agent -i "$FX_DIR/inv.yml" --json \
    pull pp "$FX_DATA/big" "$FX_DIR/pulled"
[ "$FX_RC" -ne 124 ] || fx_fail "pull: drove did not end"
fx_assert_no_match '"status":"ok"' "$FX_OUT" "pull: not ok"
fx_assert_match '"error":"[^"]*sftp' "$FX_OUT" "pull: the reason"
[ ! -e "$FX_DIR/pulled/pp/big" ] || fx_fail "pull: a file under the final name"
