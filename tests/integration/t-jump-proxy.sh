#!/bin/sh
# t-jump-proxy.sh: ProxyCommand and dropbear in the namespaces of netns.sh
# (targets reachable only through the bastion): ProxyCommand "ssh -W %h:%p"
# from the inventory's ansible_ssh_common_args reaches the targets; a
# command that exits at once fails its host with what it said; %n %r %%
# expand; a command that never speaks times out and is killed and reaped;
# a jump host reached through its own ProxyCommand; dropbear serves as the
# bastion and as a target.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh
. tests/fixtures/netns.sh

fx_netns_jump
fx_sshd_in "$FX_NS_B" 10.231.1.2 bast
fx_dropbear_in "$FX_NS_B" 10.231.1.2 dbast
fx_sshd_in "$FX_NS_T" 0.0.0.0 tgt
fx_dropbear_in "$FX_NS_T" 0.0.0.0 dtgt
B=10.231.1.2:$FX_PORT_bast
PT=$FX_PORT_tgt
{
	fx_kh_at bast "$FX_PORT_bast" 10.231.1.2 10.231.9.9
	fx_kh_at dbast "$FX_PORT_dbast" 10.231.1.2
	fx_kh_at tgt "$PT" 10.231.3.1 10.231.3.2 10.231.3.3
	fx_kh_at dtgt "$FX_PORT_dtgt" 10.231.3.9
} >"$HOME/.ssh/known_hosts"
KH=$HOME/.ssh/known_hosts
sshw="ssh -i $FX_KEY -o UserKnownHostsFile=$KH -o StrictHostKeyChecking=yes -o BatchMode=yes -p $FX_PORT_bast -W %h:%p $FX_USER@10.231.1.2"
cat >"$FX_DIR/inv.yml" <<EOF
all:
  vars:
    ansible_user: $FX_USER
    ansible_ssh_private_key_file: $FX_KEY
  children:
    viassh:
      vars:
        ansible_port: $PT
        ansible_ssh_common_args: '-o ProxyCommand="$sshw"'
      hosts:
        p1: { ansible_host: 10.231.3.1 }
        p2: { ansible_host: 10.231.3.2 }
    quits:
      vars:
        ansible_port: $PT
        ansible_ssh_common_args: "-o 'ProxyCommand=echo no route to %h port %p as %r for %n, 100%% sure >&2; exit 7'"
      hosts:
        q1: { ansible_host: 10.231.3.1 }
    silent:
      vars:
        ansible_port: $PT
        ssh_proxy_command: exec sleep 3017 # never speaks
      hosts:
        s1: { ansible_host: 10.231.3.1 }
    sshtargets:
      hosts:
        t1: { ansible_host: 10.231.3.1, ansible_port: $PT }
        t3: { ansible_host: 10.231.3.3, ansible_port: $PT }
    dbtargets:
      hosts:
        d9: { ansible_host: 10.231.3.9, ansible_port: $FX_PORT_dtgt }
    viaproxied:
      vars:
        ansible_port: $PT
        ansible_ssh_common_args: -J pbast
      hosts:
        j1: { ansible_host: 10.231.3.1 }
        j2: { ansible_host: 10.231.3.2 }
    hops:
      hosts:
        pbast:
          ansible_host: 10.231.9.9 # no route: only its ProxyCommand leads there
          ansible_port: $FX_PORT_bast
          ssh_proxy_command: 'echo %n >>$FX_DIR/hop-ran; exec $(echo "$sshw" | sed "s/%h:%p/10.231.1.2:$FX_PORT_bast/")'
        pbad: { ansible_host: 10.231.9.8, ssh_proxy_command: 'nc %q %p' }
    viabad:
      vars:
        ansible_port: $PT
        ansible_ssh_common_args: -J pbad
      hosts:
        jb: { ansible_host: 10.231.3.1 }
EOF

dk()
{
	fx_run ip netns exec "$FX_NS_C" "$DROVE" --no-agent --key "$FX_KEY" \
	    "$@"
}

# ProxyCommand ssh -W from the inventory reaches the targets.
dk -i "$FX_DIR/inv.yml" run viassh 'echo $SSH_CONNECTION'
fx_assert_eq 0 "$FX_RC" "ProxyCommand ssh -W"
fx_assert_eq 2 "$(printf '%s\n' "$FX_OUT" | grep -c '^p[12]: 10\.231\.2\.1 ')" \
    "targets reached through ssh -W"

# A jump host reached through its own ProxyCommand (run once, for the one
# connection both targets share), as ssh does with ProxyJump.
dk -i "$FX_DIR/inv.yml" run viaproxied 'echo $SSH_CONNECTION'
fx_assert_eq 0 "$FX_RC" "a jump host's own ProxyCommand"
fx_assert_eq 2 "$(printf '%s\n' "$FX_OUT" | grep -c '^j[12]: 10\.231\.2\.1 ')" \
    "targets reached through the proxied jump host"
fx_assert_eq pbast "$(cat "$FX_DIR/hop-ran")" "the jump host's command ran once"
# A jump host's command with a token ssh does not know: the host behind it
# fails with the reason, and nothing runs.
dk -i "$FX_DIR/inv.yml" run viabad true
fx_assert_eq 3 "$FX_RC" "a jump host's bad proxy command"
dr_summary error jb "proxy command of pbad: unknown token %q in 'nc %q %p' \\(%h %p %r %n %%\\)\$"
dk -i "$FX_DIR/inv.yml" inventory show j1
fx_assert_match "^  via pbast: $FX_USER@10\.231\.9\.9 port $FX_PORT_bast, through: echo %n" \
    "$FX_OUT" "inventory show names the jump host's command"

# ProxyCommand from ssh_config (its words joined as ssh does), for one
# address; "ProxyCommand none" first for another wins.
cat >"$FX_DIR/ssh_config" <<EOF
Host 10.231.3.3
    ProxyCommand none
Host 10.231.3.*
    ProxyCommand $sshw
EOF
dk -i "$FX_DIR/inv.yml" -F "$FX_DIR/ssh_config" --connect-timeout 3 \
    run sshtargets 'echo $SSH_CONNECTION'
fx_assert_eq 3 "$FX_RC" "ProxyCommand from ssh_config, and none"
fx_assert_match '^t1: 10\.231\.2\.1 ' "$FX_OUT"
dr_summary unreachable t3 'connect to 10\.231\.3\.3 '

# A command that exits at once: its words in the error; tokens expanded.
dk -i "$FX_DIR/inv.yml" --json run quits true
fx_assert_eq 3 "$FX_RC" "a proxy command that exits"
fx_assert_match '"host":"q1","status":"unreachable".*proxy command said: no route to 10.231.3.1 port '"$PT"' as '"$FX_USER"' for q1, 100% sure' \
    "$FX_OUT"

# A command that never speaks: the connect timeout, and it is killed.
dk -i "$FX_DIR/inv.yml" --connect-timeout 1 run silent true
fx_assert_eq 3 "$FX_RC" "a proxy command that never speaks"
dr_summary timeout s1 ''
left=$(ps -eo args | grep -c "^sleep 3017$" || true)
fx_assert_eq 0 "$left" "proxy commands left running"

# dropbear as the bastion, OpenSSH targets.
dk -i "$FX_DIR/inv.yml" -J "$FX_USER@10.231.1.2:$FX_PORT_dbast" \
    run sshtargets 'echo $SSH_CONNECTION'
fx_assert_eq 0 "$FX_RC" "dropbear bastion"
fx_assert_eq 2 "$(printf '%s\n' "$FX_OUT" | grep -c '^t[13]: 10\.231\.2\.1 ')" \
    "targets reached through dropbear"

# OpenSSH bastion, a dropbear target.
dk -i "$FX_DIR/inv.yml" -J "$FX_USER@$B" run dbtargets 'echo $SSH_CONNECTION'
fx_assert_eq 0 "$FX_RC" "dropbear target"
fx_assert_match '^d9: 10\.231\.2\.1 ' "$FX_OUT"

# Ctrl-C while proxy commands still connect: drove ends, interrupted, and
# kills and reaps them all.
cat >"$FX_DIR/inv3.yml" <<EOF2
all:
  vars:
    ansible_user: $FX_USER
    ssh_proxy_command: exec sleep 3018
  hosts:
    c1: { ansible_host: 10.231.3.1 }
    c2: { ansible_host: 10.231.3.2 }
EOF2
ip netns exec "$FX_NS_C" "$DROVE" --no-agent --key "$FX_KEY" \
    -i "$FX_DIR/inv3.yml" --connect-timeout 60 run all true \
    >"$FX_DIR/int.out" 2>"$FX_DIR/int.err" </dev/null &
pid=$!
n=0
while [ "$(ps -eo args | grep -c '^sleep 3018$')" -lt 2 ]; do
	n=$((n + 1))
	[ $n -lt 3000 ] || fx_fail "the proxy commands did not start"
	sleep 0.01
done
kill -INT $pid
rc=0
wait $pid || rc=$?
cat "$FX_DIR/int.err" >&2
fx_assert_eq 130 "$rc" "exit status after SIGINT"
fx_assert_match '^2 hosts: 2 cancelled' "$(cat "$FX_DIR/int.err")"
fx_assert_eq 0 "$(ps -eo args | grep -c '^sleep 3018$' || true)" \
    "proxy commands left after Ctrl-C"
