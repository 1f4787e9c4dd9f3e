#!/bin/sh
# t-fault-sftp-kill.sh: the sftp-server process killed in the middle of a
# push or a pull (over a link slowed by the fault proxy, so the transfer
# is under way) ends that host with a failure naming it, and the run ends
# with no --timeout; nothing is left under the final name.  On OpenSSH and
# dropbear, each with its own sftp-server process per session.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd_private p
fx_dropbear_private d
fx_fault pp p
fx_fault pd d
{
	fx_known_hosts p | sed "s/:$FX_PORT_p /:$FX_PORT_pp /"
	fx_known_hosts d | sed "s/:$FX_PORT_d /:$FX_PORT_pd /"
} >"$HOME/.ssh/known_hosts"
fx_inventory_each "$FX_USER" pp pd >"$FX_DIR/inv.yml"
head -c 8000000 /dev/urandom >"$FX_DIR/big"
for srv in p d; do
	fx_in $srv sh -c "head -c 8000000 /dev/zero >$FX_DATA/big &&
	    chmod 644 $FX_DATA/big"
done

# kill_mid SERVER PROXY DIR CMD...: run drove CMD in the background, wait
# until 1 MB went in direction DIR (up or down) on PROXY's next
# connection, kill SERVER's sftp-server; set FX_RC and FX_OUT.
kill_mid()
{
	_srv=$1 _px=$2 _dir=$3
	shift 3
	_c=$(($(grep -c '^open' "$FX_DIR/$_px/events") + 1))
	echo "fx: run: $*" >&2
	"$@" </dev/null >"$FX_DIR/out" 2>"$FX_DIR/err" &
	_dp=$!
	fx_fault_wait $_px "^open $_c\$"
	_n=0
	while :; do
		_b=$(fx_fault_stat $_px $_c)
		[ "$_dir" = up ] && _b=${_b% *} || _b=${_b#* }
		[ "$_b" -lt 1000000 ] || break
		_n=$((_n + 1))
		[ $_n -lt 3000 ] || fx_fail "no transfer under way"
		fx__tick
	done
	fx_kill_sessions $_srv KILL sftp-server
	FX_RC=0
	wait $_dp || FX_RC=$?
	FX_OUT=$(cat "$FX_DIR/out")
	printf 'fx: exit %s\n%s\n%s\n' "$FX_RC" "$FX_OUT" \
	    "$(cat "$FX_DIR/err")" >&2
}

for srv in p d; do
	px=p$srv
	fx_fault_cmd $px 'new rate up 1000000' 'new rate down 1000000'
	kill_mid $srv $px up timeout 120 "$DROVE" --no-agent \
	    -i "$FX_DIR/inv.yml" --json push $px "$FX_DIR/big" "$FX_DATA/pushed"
	[ "$FX_RC" -ne 124 ] || fx_fail "$srv: push: drove did not end"
	fx_assert_no_match '"status":"ok"' "$FX_OUT" "$srv: push: not ok"
	fx_assert_match '"error":"[^"]*sftp' "$FX_OUT" "$srv: push: the reason"
	fx_in $srv test ! -e "$FX_DATA/pushed" ||
	    fx_fail "$srv: push: a file under the final name"

	kill_mid $srv $px down timeout 120 "$DROVE" --no-agent \
	    -i "$FX_DIR/inv.yml" --json pull $px "$FX_DATA/big" "$FX_DIR/pulled"
	[ "$FX_RC" -ne 124 ] || fx_fail "$srv: pull: drove did not end"
	fx_assert_no_match '"status":"ok"' "$FX_OUT" "$srv: pull: not ok"
	fx_assert_match '"error":"[^"]*sftp' "$FX_OUT" "$srv: pull: the reason"
	[ ! -e "$FX_DIR/pulled/$px/big" ] ||
	    fx_fail "$srv: pull: a file under the final name"
done
