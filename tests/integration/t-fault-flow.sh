#!/bin/sh
# t-fault-flow.sh: stdin and output flowing at once through a slow link
# (the fault proxy reads what drove sends at a limited rate, with small
# socket buffers; drove runs in a network namespace with a 16 kB send
# buffer, so its packets are often half-sent), on OpenSSH and dropbear:
#  - every byte of stdin arrives and EOF follows (the command counts its
#    input, then ends), for run and shell: a window adjust left half-sent
#    by a read, which makes the next write or EOF fail with -39 or -7, is
#    not "the command stopped reading"; with libssh2 1.11.1, where that
#    write answers EAGAIN instead and leaves the socket's direction
#    "writable", the read is made again to finish its adjust (else, on
#    dropbear, the run never ended and the loop spun);
#  - while the proxy stalls drove's direction for 3 s, drove does not spin
#    (a write half-sent and output queued made it read, fail with -7 and
#    step again at once): it uses under a third of a second of CPU;
#  - with --keepalive 1 the same run and a push succeed, and sshd gets no
#    keepalive during the push (it logs each one): a keepalive is sent
#    only after an interval with no traffic either way, never in the
#    middle of a transfer, where it could wedge the session; an idle
#    command still gets them.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

size=12000000
fx_netns n
fx_netns_exec n sh -c 'echo "4096 16384 16384" >/proc/sys/net/ipv4/tcp_wmem'
fx_netns_sshd n s
fx_netns_dropbear n db
fx_netns_fault n fs s 65536
fx_netns_fault n fdb db 65536
{
	fx_known_hosts s | sed "s/:$FX_PORT_s /:$FX_PORT_fs /"
	fx_known_hosts db | sed "s/:$FX_PORT_db /:$FX_PORT_fdb /"
} >"$HOME/.ssh/known_hosts"
fx_inventory_each "$FX_USER" fs fdb >"$FX_DIR/inv.yml"
head -c $size /dev/urandom >"$FX_DIR/in"
chmod 644 "$FX_DIR/in"
chmod 777 "$FX_DIR"
# The command counts its stdin while printing on stderr all along, then
# stops printing and ends.
cmd='exec 3<&0; yes >&2 & y=$!; wc -c <&3; kill $y'

# CPU ticks used so far by process PID and its descendants.
cpu_ticks()
{
	for _p in $(fx__tree "$1"); do
		awk '{ print $14 + $15 }' "/proc/$_p/stat" 2>/dev/null
	done | awk '{ s += $1 } END { print s + 0 }'
}

# drv HOST ARGS...: drove on HOST in the namespace, stdin from in, in the
# background (dpid).
drv()
{
	_h=$1
	shift
	echo "fx: run: drove $* ($_h)" >&2
	fx_netns_exec n timeout 120 "$DROVE" --no-agent -i "$FX_DIR/inv.yml" \
	    "$@" <"$FX_DIR/in" >"$FX_DIR/out" 2>"$FX_DIR/err" &
	dpid=$!
}

# done_ok HOST WHAT: drove ended; its host ok with the whole input counted.
done_ok()
{
	FX_RC=0
	wait $dpid || FX_RC=$?
	# (stderr's many "y" lines left out)
	FX_OUT=$(sed 's/"stderr":"[^"]*"/"stderr":"..."/' "$FX_DIR/out")
	printf 'fx: exit %s\n%s\n%s\n' "$FX_RC" "$FX_OUT" \
	    "$(tail -n 5 "$FX_DIR/err" | cut -c1-200)" >&2
	fx_assert_eq 0 "$FX_RC" "$2: drove's exit status"
	fx_assert_match \
	    "\"host\":\"$1\",\"status\":\"ok\".*\"stdout\":\"$size\\\\n\"" \
	    "$FX_OUT" "$2: every byte of stdin, then EOF"
}

for h in fs fdb; do
	fx_fault_cmd $h '* resume both' 'new rate up 4000000'
	c=$(($(grep -c '^open' "$FX_DIR/$h/events") + 1))
	drv $h --json run $h "$cmd"
	fx_fault_wait $h "^open $c\$"
	sleep 2
	fx_fault_cmd $h "$c stall up"
	t0=$(cpu_ticks $dpid)
	sleep 3
	t1=$(cpu_ticks $dpid)
	fx_fault_cmd $h "$c resume up"
	echo "fx: $h: $((t1 - t0)) CPU ticks while stalled 3 s" >&2
	done_ok $h "$h, stalled"
	[ $((t1 - t0)) -lt 30 ] ||
	    fx_fail "$h: drove used $((t1 - t0)) ticks of CPU while stalled 3 s"

	drv $h --keepalive 1 --json run $h "$cmd"
	done_ok $h "$h, keepalive 1"

	# The shell job, stdin piped (no terminal).
	fx_netns_exec n timeout 120 "$DROVE" --no-agent -i "$FX_DIR/inv.yml" \
	    shell $h -- "$cmd" <"$FX_DIR/in" >"$FX_DIR/sh.out" 2>/dev/null
	fx_assert_eq "$size" "$(tr -d ' \r' <"$FX_DIR/sh.out")" \
	    "$h: shell: every byte of stdin, then EOF"
done

# push, with keepalives, over the slow link: sshd logs each keepalive it
# gets (LogLevel DEBUG3), and none may come while bytes flow.
fx_fault_cmd fs 'new rate up 2000000'
ka='rtype keepalive@'
ka0=$(grep -c "$ka" "$FX_DIR/s/log")
fx_netns_exec n timeout 120 "$DROVE" --no-agent -i "$FX_DIR/inv.yml" \
    --keepalive 1 --json push fs "$FX_DIR/in" "$FX_DIR/pushed" \
    >"$FX_DIR/out" 2>"$FX_DIR/err"
rc=$?
printf 'fx: exit %s\n%s\n%s\n' "$rc" "$(cut -c1-400 "$FX_DIR/out")" \
    "$(cut -c1-200 "$FX_DIR/err")" >&2
fx_assert_eq 0 $rc "push with keepalives: exit status"
cmp "$FX_DIR/in" "$FX_DIR/pushed" || fx_fail "push: the file differs"
fx_assert_eq "$ka0" "$(grep -c "$ka" "$FX_DIR/s/log")" \
    "keepalives sent during the push"

# An idle session still gets them.
fx_netns_exec n timeout 120 "$DROVE" --no-agent -i "$FX_DIR/inv.yml" \
    --keepalive 1 --json run fs 'sleep 4' </dev/null >/dev/null 2>&1
[ "$(grep -c "$ka" "$FX_DIR/s/log")" -gt "$ka0" ] ||
    fx_fail "no keepalive during 4 s of silence"
