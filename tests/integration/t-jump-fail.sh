#!/bin/sh
# t-jump-fail.sh: how hosts behind a jump host fail, in the namespaces of
# netns.sh (targets reachable only through a bastion): an unknown and a
# changed bastion key, a bastion login that fails and a bastion that
# forbids forwarding each fail every host behind it with one reason naming
# the bastion, after one connection to it; a bastion connection killed
# mid-run ends every host behind it promptly and typed while a host
# elsewhere goes on.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh
. tests/fixtures/netns.sh

fx_netns_jump
fx_sshd_in "$FX_NS_B" 10.231.1.2 bast
fx_sshd_in "$FX_NS_B" 10.231.1.2 nofwd AllowTcpForwarding=no
fx_sshd_in "$FX_NS_T" 0.0.0.0 tgt
B=10.231.1.2:$FX_PORT_bast
PT=$FX_PORT_tgt
fx_kh_at tgt "$PT" 10.231.3.1 10.231.3.2 10.231.3.3 10.231.3.4 \
    10.231.3.5 >"$FX_DIR/kh.targets"
fx_kh_at bast "$FX_PORT_bast" 10.231.1.2 >"$FX_DIR/kh.bast"
fx_kh_at nofwd "$FX_PORT_nofwd" 10.231.1.2 >"$FX_DIR/kh.nofwd"
{
	printf 'all:\n  vars:\n    ansible_user: %s\n' "$FX_USER"
	printf '    ansible_ssh_private_key_file: %s\n' "$FX_KEY"
	printf '  hosts:\n'
	# a host elsewhere: the other bastion's server, reached directly
	printf '    direct: { ansible_host: 10.231.1.2, ansible_port: %s }\n' \
	    "$FX_PORT_nofwd"
	printf '  children:\n    private:\n      vars:\n'
	printf '        ansible_port: %s\n' "$PT"
	printf '        ssh_proxy_jump: %s\n      hosts:\n' "$FX_USER@$B"
	for i in 1 2 3 4 5; do
		printf '        t%d: { ansible_host: 10.231.3.%d }\n' "$i" "$i"
	done
} >"$FX_DIR/inv.yml"

dk()
{
	fx_run ip netns exec "$FX_NS_C" "$DROVE" --no-agent --key "$FX_KEY" \
	    "$@"
}
# conns NAME: connections server NAME accepted from the client so far.
conns()
{
	eval "grep -c 'Connection from 10.231.1.1 ' \"\$FX_LOG_$1\""
}

# An unknown bastion key: every host behind it fails with the bastion's
# host key message, folded into one summary line; one connection.
cp "$FX_DIR/kh.targets" "$HOME/.ssh/known_hosts"
before=$(conns bast)
dk -i "$FX_DIR/inv.yml" -J "$FX_USER@$B" run 't*' true
fx_assert_eq 3 "$FX_RC" "unknown bastion key"
fx_assert_match '^5 hosts: 5 hostkey$' "$FX_ERR"
fx_assert_match "^hostkey \\(5\\): t\\[1-5\\]: via 10.231.1.2: host key for \\[10.231.1.2\\]:$FX_PORT_bast is unknown" \
    "$FX_ERR"
fx_assert_eq 1 "$(($(conns bast) - before))" "the bastion is tried once"
# ... also when the hosts are spread over loop threads
before=$(conns bast)
dk -i "$FX_DIR/inv.yml" -J "$FX_USER@$B" --loops 3 run 't*' true
fx_assert_match '^5 hosts: 5 hostkey$' "$FX_ERR"
fx_assert_eq 1 "$(($(conns bast) - before))" \
    "the bastion is tried once with three loops"

# Under ask (on a terminal), the unknown bastion key is in the one
# question, marked as a jump host; accepted, it is added and every host
# behind it goes on.
cp "$FX_DIR/kh.targets" "$HOME/.ssh/known_hosts"
dr_pty "TERM=dumb ip netns exec '$FX_NS_C' '$DROVE' --no-agent --key '$FX_KEY' -i '$FX_DIR/inv.yml' -J '$FX_USER@$B' --color never run 't*' 'echo ran'" \
    '^Accept and add it to known_hosts' a
fx_assert_eq 0 "$FX_RC" "ask, all accepted"
fx_assert_eq 1 "$(printf '%s\n' "$FX_OUT" | grep -c 'Accept and add')" \
    "one question"
fx_assert_match "^  10.231.1.2 \\(jump host\\) \\(10.231.1.2 port $FX_PORT_bast\\)" \
    "$FX_OUT"
fx_assert_eq 5 "$(printf '%s\n' "$FX_OUT" | grep -c '^t[1-5]: ran')" \
    "hosts behind the accepted bastion"
grep -q "10.231.1.2" "$HOME/.ssh/known_hosts" ||
    fx_fail "the bastion's key was not added"
cp "$FX_DIR/kh.targets" "$HOME/.ssh/known_hosts"

# A changed bastion key.
fx_kh_at tgt "$FX_PORT_bast" 10.231.1.2 >>"$HOME/.ssh/known_hosts"
dk -i "$FX_DIR/inv.yml" -J "$FX_USER@$B" run 't*' true
fx_assert_eq 3 "$FX_RC" "changed bastion key"
fx_assert_match '^5 hosts: 5 hostkey$' "$FX_ERR"
fx_assert_match 'via 10.231.1.2: .*(changed|CHANGED|does not match)' \
    "$FX_ERR"

# A bastion login that fails: one login tried, every host fails auth.
cat "$FX_DIR/kh.targets" "$FX_DIR/kh.bast" "$FX_DIR/kh.nofwd" \
    >"$HOME/.ssh/known_hosts"
before=$(conns bast)
dk -i "$FX_DIR/inv.yml" -J "nosuchuser@$B" run 't*' true
fx_assert_eq 3 "$FX_RC" "bastion auth failure"
fx_assert_match '^5 hosts: 5 auth$' "$FX_ERR"
fx_assert_match '^auth \(5\): t\[1-5\]: via 10.231.1.2: authentication as nosuchuser to 10.231.1.2 failed' \
    "$FX_ERR"
fx_assert_eq 1 "$(($(conns bast) - before))" "the bastion is tried once"

# A bastion that forbids forwarding says so.
dk -i "$FX_DIR/inv.yml" -J "$FX_USER@10.231.1.2:$FX_PORT_nofwd" run 't*' \
    true
fx_assert_eq 3 "$FX_RC" "AllowTcpForwarding no"
fx_assert_match '^5 hosts: 5 error$' "$FX_ERR"
fx_assert_match 'via 10.231.1.2: 10.231.1.2 does not forward to 10.231.3.1 port [0-9]+: .*prohibited.*AllowTcpForwarding no' \
    "$FX_ERR"

# The bastion connection killed mid-run: its sshd process for our
# connection goes; the hosts behind it end at once, typed, while the host
# reached directly finishes its command.
kill_jump()
{
	# wait until the five commands run, then kill the bastion's session
	# processes (the children of its listener); the direct host is
	# served by the other server
	_n=0
	while [ "$(grep -c 'Starting session: command' "$FX_LOG_tgt")" -lt \
	    $((started + 5)) ]; do
		_n=$((_n + 1))
		[ $_n -lt 3000 ] || fx_fail "the commands did not start"
		sleep 0.01
	done
	for _p in $(fx__tree "$FX_PID_bast"); do
		[ "$_p" = "$FX_PID_bast" ] || kill -KILL "$_p" 2>/dev/null
	done
}
started=$(grep -c 'Starting session: command' "$FX_LOG_tgt")
t0=$(date +%s)
{
	ip netns exec "$FX_NS_C" "$DROVE" --no-agent --key "$FX_KEY" \
	    -i "$FX_DIR/inv.yml" --json run all 'sleep 8; echo done' \
	    >"$FX_DIR/killed.out" 2>"$FX_DIR/killed.err" &
	echo $! >"$FX_DIR/killed.pid"
}
kill_jump
wait "$(cat "$FX_DIR/killed.pid")" || true
t1=$(date +%s)
out=$(cat "$FX_DIR/killed.out")
echo "$out" >&2
cat "$FX_DIR/killed.err" >&2
[ $((t1 - t0)) -lt 50 ] || fx_fail "the hosts behind the killed bastion hung"
fx_assert_eq 5 "$(printf '%s\n' "$out" | grep -c '"status":"unreachable"')" \
    "hosts behind the killed bastion"
fx_assert_match '"host":"t1","status":"unreachable".*"error":"via 10.231.1.2: ' "$out"
fx_assert_match '"host":"direct","status":"ok",.*"stdout":"done\\n"' "$out"
