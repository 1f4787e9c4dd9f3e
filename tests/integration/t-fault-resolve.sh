#!/bin/sh
# t-fault-resolve.sh: the connect timeout counts from the TCP connect, not
# from the start of name resolution: a host whose name waits in the
# client's resolver queue behind slow lookups longer than the connect
# timeout is still reached.  In a network namespace whose resolver's DNS
# queries go unanswered (glibc gives up after its own timeout, 4 s here),
# 16 names that only DNS could answer hold every resolver thread; the next
# name, in the namespace's hosts file, waits 4 s or more for a thread,
# twice the connect timeout.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_netns n '127.0.0.1 fast'
fx_netns_sshd n s
printf 'nameserver 127.0.0.1\noptions timeout:4 attempts:1\n' \
    >"$FX_DIR/resolv.conf"
fx_netns_exec n mount --bind "$FX_DIR/resolv.conf" /etc/resolv.conf ||
    fx_fail "resolv.conf in the namespace"
# dropped on the way in: a drop on the way out would fail the send at once
fx_netns_exec n nft add chain inet fx in \
    '{ type filter hook input priority 0; }' &&
    fx_netns_exec n nft add rule inet fx in udp dport 53 drop ||
    fx_fail "nft: drop DNS queries"
fx_known_hosts s | sed "s/^\[127.0.0.1\]/[fast]/" >"$HOME/.ssh/known_hosts"
{
	printf 'all:\n  vars:\n    ansible_port: %s\n' "$FX_PORT_s"
	printf '    ansible_user: %s\n' "$FX_USER"
	printf '    ansible_ssh_private_key_file: %s\n  hosts:\n' "$FX_KEY"
	i=1
	while [ $i -le 16 ]; do
		printf '    slow%02d.invalid:\n' $i
		i=$((i + 1))
	done
	printf '    fast:\n'
} >"$FX_DIR/inv.yml"

start=$(date +%s)
fx_run fx_netns_exec n timeout 120 "$DROVE" --no-agent -i "$FX_DIR/inv.yml" \
    --connect-timeout 2 --retries 0 --json run all 'echo reached'
secs=$(($(date +%s) - start))
fx_assert_match '"host":"fast","status":"ok".*"stdout":"reached\\n"' \
    "$FX_OUT" "the host queued behind slow lookups is reached"
fx_assert_match '"host":"slow01.invalid","status":"unreachable"' "$FX_OUT" \
    "a name DNS cannot answer is not"
# The lookups did hold the queue longer than the connect timeout, or this
# test proves nothing.
[ "$secs" -ge 4 ] || fx_fail "the run took $secs s: the queue was not held"
