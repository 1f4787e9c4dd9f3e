#!/bin/sh
# t-jump.sh: hosts reached through a jump host, in network namespaces where
# the client cannot reach the targets except through the bastion (netns.sh):
# a direct connection fails; 200 targets share the bastion connections the
# cap allows (counted in the bastion's log) and each target sees the
# bastion as its client; -J, ssh_config ProxyJump and the inventory's
# ansible_ssh_common_args all work; two hops nest; a target down behind the
# bastion fails alone with the bastion's answer.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh
. tests/fixtures/netns.sh

fx_netns_jump
fx_sshd_in "$FX_NS_B" 10.231.1.2 bast
fx_sshd_in "$FX_NS_T" 0.0.0.0 tgt
B=10.231.1.2:$FX_PORT_bast
PT=$FX_PORT_tgt
n=200
addrs=$(seq 1 $n | sed 's/^/10.231.3./')
# shellcheck disable=SC2086
{
	fx_kh_at bast "$FX_PORT_bast" 10.231.1.2
	fx_kh_at tgt "$PT" $addrs 10.231.3.254
} >"$HOME/.ssh/known_hosts"
{
	printf 'all:\n  vars:\n    ansible_user: %s\n' "$FX_USER"
	printf '    ansible_ssh_private_key_file: %s\n' "$FX_KEY"
	printf '    ansible_port: %s\n  hosts:\n' "$PT"
	for i in $(seq 1 $n); do
		printf '    t%03d: { ansible_host: 10.231.3.%d }\n' "$i" "$i"
	done
	printf '    down: { ansible_host: 10.231.3.250, ansible_port: 1 }\n'
} >"$FX_DIR/inv.yml"

# dc ARGS...: drove in the client's namespace.
dc()
{
	fx_run ip netns exec "$FX_NS_C" "$DROVE" --no-agent "$@"
}
# dk ARGS...: the same with --key, which jump hosts use too.
dk()
{
	dc --key "$FX_KEY" "$@"
}
# conns: connections the bastion accepted from the client so far.
conns()
{
	grep -c "Connection from 10.231.1.1 " "$FX_LOG_bast"
}

# The targets cannot be reached from the client directly.
dc -i "$FX_DIR/inv.yml" --connect-timeout 3 run t001 true
fx_assert_eq 3 "$FX_RC" "a direct connection fails"
dr_summary unreachable t001 ''

# 200 targets through one bastion, 64 channels per connection: 4
# connections; every target's client is the bastion.  The 200 logins
# start at once on one sshd, so they get a minute, not the default 10 s
# (on two loaded CPUs the last ones took longer).
before=$(conns)
dk -i "$FX_DIR/inv.yml" -J "$FX_USER@$B" --jump-channels 64 \
    --connect-timeout 60 run 't*' \
    'echo $SSH_CONNECTION'
fx_assert_eq 0 "$FX_RC" "200 targets through the bastion"
fx_assert_match "^$n hosts: $n ok" "$FX_ERR"
fx_assert_eq $n "$(printf '%s\n' "$FX_OUT" | grep -c ': 10\.231\.2\.1 ')" \
    "targets whose client is the bastion"
fx_assert_eq 4 "$(($(conns) - before))" "bastion connections for 200/64"
fx_assert_eq 4 "$(grep -c 'Accepted publickey' "$FX_LOG_bast")" \
    "bastion logins"

# Bastion connections are paced like any server's: with --max-startups 1
# each starts after the one before logged in (20 targets, 5 a connection).
before=$(conns)
dk -i "$FX_DIR/inv.yml" -J "$FX_USER@$B" --jump-channels 5 --max-startups 1 \
    run 't0[01-20]' true
fx_assert_eq 0 "$FX_RC" "20 targets, 4 paced bastion connections"
fx_assert_eq 4 "$(($(conns) - before))" "bastion connections for 20/5"
fx_assert_eq CACACACA "$(grep -E 'Connection from 10\.231\.1\.1 |Accepted publickey for .* from 10\.231\.1\.1 ' "$FX_LOG_bast" |
    tail -8 | sed 's/.*Connection from.*/C/; s/.*Accepted.*/A/' | tr -d '\n')" \
    "each bastion connection logged in before the next began"

# A target down behind the bastion fails alone, with the bastion's answer.
dk -i "$FX_DIR/inv.yml" -J "$FX_USER@$B" --json run 't001,down,t002' true
fx_assert_eq 3 "$FX_RC" "exit status with a target down"
fx_assert_match '"host":"down","status":"unreachable".*"error":"via 10.231.1.2: connect to 10.231.3.250 port 1 failed: Channel open failure \(connect failed\)"' "$FX_OUT"
fx_assert_eq 2 "$(printf '%s\n' "$FX_OUT" | grep -c '"status":"ok"')" \
    "the other targets"

# ProxyJump from ssh_config, for the targets' addresses only; the
# bastion's own identity from its Host block.
cat >"$FX_DIR/ssh_config" <<EOF
Host 10.231.3.*
    ProxyJump $FX_USER@$B
Host 10.231.1.2
    IdentityFile $FX_KEY
EOF
dc -i "$FX_DIR/inv.yml" -F "$FX_DIR/ssh_config" run 't00[1-5]' \
    'echo $SSH_CONNECTION'
fx_assert_eq 0 "$FX_RC" "ProxyJump from ssh_config"
fx_assert_eq 5 "$(printf '%s\n' "$FX_OUT" | grep -c ': 10\.231\.2\.1 ')" \
    "targets reached through ssh_config's ProxyJump"

# -o ProxyJump in the inventory's ansible_ssh_common_args, per group.
cat >"$FX_DIR/inv2.yml" <<EOF
all:
  vars:
    ansible_user: $FX_USER
    ansible_ssh_private_key_file: $FX_KEY
  children:
    private:
      vars:
        ansible_ssh_common_args: '-o StrictHostKeyChecking=yes -o ProxyJump="$FX_USER@$B"'
      hosts:
        p1: { ansible_host: 10.231.3.1, ansible_port: $PT }
        p2: { ansible_host: 10.231.3.2, ansible_port: $PT }
EOF
dk -i "$FX_DIR/inv2.yml" run private 'echo $SSH_CONNECTION'
fx_assert_eq 0 "$FX_RC" "ProxyJump from ansible_ssh_common_args"
fx_assert_eq 2 "$(printf '%s\n' "$FX_OUT" | grep -c ': 10\.231\.2\.1 ')" \
    "targets reached through the group's ssh args"

# Two hops: the bastion, then the targets' own server as a second jump
# host, which reaches the target inside its namespace.
dk -i "$FX_DIR/inv.yml" -J "$FX_USER@$B,$FX_USER@10.231.3.254:$PT" \
    run 't00[1-3]' 'echo $SSH_CONNECTION'
fx_assert_eq 0 "$FX_RC" "two hops"
fx_assert_eq 0 "$(printf '%s\n' "$FX_OUT" | grep -c ': 10\.231\.2\.1 ')" \
    "targets whose client is the second hop, not the bastion"
fx_assert_eq 3 "$(printf '%s\n' "$FX_OUT" | grep -c '^t00[1-3]: ')" \
    "the three targets' output"

# inventory show prints the chain and where it came from.
fx_run ip netns exec "$FX_NS_C" "$DROVE" inventory -i "$FX_DIR/inv2.yml" \
    show p1
fx_assert_eq 0 "$FX_RC" "inventory show"
fx_assert_match "^jump: $FX_USER@$B  # group private\$" "$FX_OUT"
fx_assert_match "^  via 10.231.1.2: $FX_USER@10.231.1.2 port $FX_PORT_bast\$" \
    "$FX_OUT"
fx_run "$DROVE" inventory -i "$FX_DIR/inv.yml" -F "$FX_DIR/ssh_config" \
    show t001
fx_assert_match "^jump: $FX_USER@$B  # ssh_config $FX_DIR/ssh_config:2\$" \
    "$FX_OUT"

# push, pull and keyscan through the bastion.
head -c 3000000 /dev/urandom >"$FX_DIR/big"
mkdir -m 777 "$FX_DIR/xfer"
dk -i "$FX_DIR/inv.yml" -J "$FX_USER@$B" push t001 "$FX_DIR/big" \
    "$FX_DIR/xfer/pushed"
fx_assert_eq 0 "$FX_RC" "push through the bastion"
cmp "$FX_DIR/big" "$FX_DIR/xfer/pushed" || fx_fail "pushed file differs"
dk -i "$FX_DIR/inv.yml" -J "$FX_USER@$B" pull t002 "$FX_DIR/xfer/pushed" \
    "$FX_DIR/pulled"
fx_assert_eq 0 "$FX_RC" "pull through the bastion"
cmp "$FX_DIR/big" "$FX_DIR/pulled/t002/pushed" || fx_fail "pulled file differs"
dk -i "$FX_DIR/inv.yml" -J "$FX_USER@$B" keyscan 't00[1-2]'
fx_assert_eq 0 "$FX_RC" "keyscan through the bastion"
fx_assert_eq 2 "$(printf '%s\n' "$FX_OUT" | grep -c "^\[10\.231\.3\.[12]\]:$PT ssh-ed25519 ")" \
    "keys scanned through the bastion"

# An interactive shell through the bastion, on a terminal.
export DROVE_RECORD=no
dr_pty "TERM=vt100 ip netns exec '$FX_NS_C' '$DROVE' --no-agent --key '$FX_KEY' -i '$FX_DIR/inv.yml' -J '$FX_USER@$B' shell t003" \
    '\$ $' 'echo mark-$((6 * 7)) $SSH_CONNECTION' '^mark-42 10\.231\.2\.1 ' \
    'exit 7'
fx_assert_eq 7 "$FX_RC" "the remote shell's exit status"
fx_assert_match '^mark-42 10\.231\.2\.1 ' "$FX_OUT" "the shell's command ran"

# A play through the bastion, and a run recorded in the history run again
# by --rerun through the same chain.
cat >"$FX_DIR/play.yml" <<'YML'
- name: through the bastion
  hosts: all
  tasks:
    - name: who is my client
      run: echo $SSH_CONNECTION
YML
dk -i "$FX_DIR/inv.yml" -J "$FX_USER@$B" --limit 't00[1-2]' \
    play -v "$FX_DIR/play.yml"
fx_assert_eq 0 "$FX_RC" "play through the bastion"
fx_assert_eq 2 "$(printf '%s\n' "$FX_OUT" | grep -c '10\.231\.2\.1 ')" \
    "play tasks whose client is the bastion"
dk -i "$FX_DIR/inv.yml" -J "$FX_USER@$B" run 't00[4-5]' 'echo $SSH_CONNECTION'
fx_assert_eq 0 "$FX_RC" "a recorded run"
id=$("$DROVE" history --limit 1 | awk 'NR == 2 { print $1 }')
dk -i "$FX_DIR/inv.yml" run --rerun "$id"
fx_assert_eq 0 "$FX_RC" "--rerun"
fx_assert_eq 2 "$(printf '%s\n' "$FX_OUT" | grep -c '^t00[45]: 10\.231\.2\.1 ')" \
    "rerun targets whose client is the bastion"

# A jump host's own ProxyJump (ssh_config) comes before it, as with ssh:
# -J hop2 reaches the targets through the bastion, then hop2.
cat >"$FX_DIR/ssh_config2" <<EOF2
Host hop2
    HostName 10.231.3.254
    Port $PT
    User $FX_USER
    ProxyJump $FX_USER@$B
EOF2
dk -i "$FX_DIR/inv.yml" -F "$FX_DIR/ssh_config2" -J hop2 run 't00[1-3]' \
    'echo $SSH_CONNECTION'
fx_assert_eq 0 "$FX_RC" "a jump host's own ProxyJump"
fx_assert_eq 3 "$(printf '%s\n' "$FX_OUT" | grep -c '^t00[1-3]: ')" \
    "the targets through hop2's own jump host"
fx_run "$DROVE" inventory -i "$FX_DIR/inv.yml" -F "$FX_DIR/ssh_config2" \
    -J hop2 show t001
fx_assert_eq "jump: hop2  # the command line (-J)
  via 10.231.1.2: $FX_USER@10.231.1.2 port $FX_PORT_bast
  via hop2: $FX_USER@10.231.3.254 port $PT" \
    "$(printf '%s\n' "$FX_OUT" | sed -n '/^jump:/,$p')" "the whole chain"
