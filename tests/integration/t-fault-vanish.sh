#!/bin/sh
# t-fault-vanish.sh: with no --timeout, a run still ends when the server
# vanishes silently (every packet of the connection dropped by nft in a
# network namespace: no FIN, no RST): the host ends error or unreachable
# within the keepalive bound (TCP keepalive and TCP_USER_TIMEOUT from
# --keepalive), long before its command (sleep 600) would; on OpenSSH and
# dropbear.  The same, with the fault proxy stalling both directions, is
# not detectable below SSH (the proxy's kernel still acknowledges), so it
# is not claimed here.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_netns n
fx_netns_sshd n s
fx_netns_dropbear n db
fx_known_hosts s db >"$HOME/.ssh/known_hosts"
fx_inventory_each "$FX_USER" s db >"$FX_DIR/inv.yml"
chmod 777 "$FX_DIR"

for srv in s db; do
	port=$(cat "$FX_DIR/$srv/port")
	m=$FX_DIR/mark-$srv
	echo "fx: run: drove run $srv (vanishing)" >&2
	fx_netns_exec n timeout 120 "$DROVE" --no-agent -i "$FX_DIR/inv.yml" \
	    --keepalive 2 --json run $srv "touch $m; sleep 600" \
	    </dev/null >"$FX_DIR/out" 2>"$FX_DIR/err" &
	dpid=$!
	n=0
	while ! [ -e "$m" ]; do
		n=$((n + 1))
		[ $n -lt 3000 ] || fx_fail "$srv: the command did not start"
		fx__tick
	done
	fx_netns_drop n "tcp sport $port"
	fx_netns_drop n "tcp dport $port"
	rc=0
	wait $dpid || rc=$?
	out=$(cat "$FX_DIR/out")
	printf 'fx: exit %s\n%s\n%s\n' "$rc" "$out" "$(cat "$FX_DIR/err")" >&2
	[ $rc -ne 124 ] || fx_fail "$srv: drove did not end within 120 s"
	fx_assert_match "\"host\":\"$srv\",\"status\":\"(error|unreachable)\"" \
	    "$out" "$srv: error or unreachable"
	fx_netns_exec n nft flush chain inet fx out
done
