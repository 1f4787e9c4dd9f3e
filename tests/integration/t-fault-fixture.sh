#!/bin/sh
# t-fault-fixture.sh: the fault-injection layer itself, checked with
# OpenSSH's ssh client: the fault proxy passes bytes intact and counts
# them, delays, stalls and resumes, slows a reader, cuts after N bytes and
# resets on command; fx_kill_sessions ends a session; a namespace gives a
# name two addresses and drops SYNs to one; the paramiko server closes a
# channel without EOF.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s
fx_fault f s
{
	fx_known_hosts s
	fx_known_hosts s | sed "s/:$FX_PORT_s /:$FX_PORT_f /"
} >>"$HOME/.ssh/known_hosts"

# ssh to PORT as the test user, host key checked.
fssh()
{
	_p=$1
	shift
	ssh -F /dev/null -p "$_p" -i "$FX_KEY" -o IdentitiesOnly=yes \
	    -o BatchMode=yes -o StrictHostKeyChecking=yes \
	    -o UserKnownHostsFile="$HOME/.ssh/known_hosts" \
	    -l "$FX_USER" 127.0.0.1 "$@"
}

# Intact, and counted.
head -c 1048576 /dev/urandom >"$FX_DIR/data"
chmod 644 "$FX_DIR/data"
want=$(sha256sum <"$FX_DIR/data" | cut -d' ' -f1)
got=$(fssh "$FX_PORT_f" sha256sum <"$FX_DIR/data") || fx_fail "ssh via proxy"
fx_assert_eq "$want  -" "$got" "1 MB through the proxy"
fx_fault_wait f '^closed 1 eof '

# Counting, delay and a cut, on connection 2 (kept open by a read).
mkfifo "$FX_DIR/in"
fssh "$FX_PORT_f" 'cat >/dev/null; echo done' <"$FX_DIR/in" \
    >"$FX_DIR/c2.out" 2>&1 &
c2=$!
exec 8>"$FX_DIR/in"
fx_fault_wait f '^open 2$'
n=0
until [ "$(fx_fault_stat f 2 | cut -d' ' -f2)" -gt 1000 ]; do
	n=$((n + 1))
	[ $n -lt 1000 ] || fx_fail "no bytes counted down"
	fx__tick
done
fx_fault_cmd f '2 delay both 300'
# While stalled up, nothing typed passes.
fx_fault_cmd f '2 stall up'
up0=$(fx_fault_stat f 2 | cut -d' ' -f1)
head -c 4096 /dev/zero >&8
sleep 1
fx_assert_eq "$up0" "$(fx_fault_stat f 2 | cut -d' ' -f1)" \
    "stalled: no bytes up"
fx_fault_cmd f '2 resume up'
n=0
until [ "$(fx_fault_stat f 2 | cut -d' ' -f1)" -gt "$up0" ]; do
	n=$((n + 1))
	[ $n -lt 1000 ] || fx_fail "no bytes up after resume"
	fx__tick
done
fx_fault_cmd f '2 cut up 1'
head -c 100 /dev/zero >&8
fx_fault_wait f '^closed 2 cut '
exec 8>&-
wait $c2 && fx_fail "ssh over a cut connection succeeded"

# A reset.
fssh "$FX_PORT_f" 'sleep 30' </dev/null >/dev/null 2>&1 &
c3=$!
fx_fault_wait f '^open 3$'
n=0
until [ "$(fx_fault_stat f 3 | cut -d' ' -f2)" -gt 1000 ]; do
	n=$((n + 1))
	[ $n -lt 1000 ] || fx_fail "connection 3 did not log in"
	fx__tick
done
fx_fault_cmd f '3 rst'
wait $c3 && fx_fail "ssh over a reset connection succeeded"
fx_fault_wait f '^closed 3 rst '

# A slow reader: 200 kB at 100 kB/s take over a second.
fx_fault_cmd f 'new rate up 100000'
head -c 204800 /dev/urandom >"$FX_DIR/data2"
t0=$(date +%s%N)
got=$(fssh "$FX_PORT_f" sha256sum <"$FX_DIR/data2") || fx_fail "slow ssh"
t1=$(date +%s%N)
fx_assert_eq "$(sha256sum <"$FX_DIR/data2")" "$got" "200 kB, slowly"
[ $(( (t1 - t0) / 1000000 )) -ge 1000 ] ||
    fx_fail "200 kB at 100 kB/s took $(( (t1 - t0) / 1000000 )) ms"
fx_fault_cmd f 'new resume both'

# Killing the session processes ends the session.
fssh "$FX_PORT_s" 'echo up; sleep 30' </dev/null >"$FX_DIR/k.out" 2>&1 &
k=$!
n=0
until grep -q up "$FX_DIR/k.out"; do
	n=$((n + 1))
	[ $n -lt 3000 ] || fx_fail "no session to kill"
	fx__tick
done
fx_kill_sessions s
wait $k && fx_fail "ssh survived its session's kill"
[ -z "$(fx_sessions s)" ] || fx_fail "sessions left: $(fx_sessions s)"

# A name with two addresses; SYNs to the first are dropped.
fx_netns n '::1 dual' '127.0.0.1 dual'
fx_netns_sshd n ns
fx_assert_eq "::1 127.0.0.1" \
    "$(fx_netns_exec n getent ahosts dual | awk '/STREAM/ { print $1 }' |
    tr '\n' ' ' | sed 's/ $//')" "dual's addresses"
fx_netns_drop n 'ip6 daddr ::1 tcp flags syn'
fx_netns_exec n timeout 3 bash -c "exec 3<>/dev/tcp/::1/$FX_PORT_ns" \
    2>/dev/null &&
    fx_fail "a SYN to ::1 was answered"
got=$(fx_netns_exec n ssh -F /dev/null -p "$FX_PORT_ns" -i "$FX_KEY" \
    -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o ConnectTimeout=2 -l "$FX_USER" dual \
    echo in-ns 2>"$FX_DIR/ns.err") || fx_fail "ssh in the namespace: \
$(cat "$FX_DIR/ns.err")"
fx_assert_eq in-ns "$got" "ssh to dual, second address"

# The paramiko server: exit status, and CLOSE without EOF.
fx_noeof ne
fx_known_hosts ne >>"$HOME/.ssh/known_hosts"
fssh "$FX_PORT_ne" -vv 'echo hi; exit 3' </dev/null >"$FX_DIR/ne.out" \
    2>"$FX_DIR/ne.err"
fx_assert_eq 3 $? "paramiko: exit status"
fx_assert_eq hi "$(cat "$FX_DIR/ne.out")" "paramiko: output"
fx_assert_match 'rcvd close' "$(cat "$FX_DIR/ne.err")" "paramiko: close"
fx_assert_no_match 'rcvd eof' "$(cat "$FX_DIR/ne.err")" "paramiko: no EOF"
