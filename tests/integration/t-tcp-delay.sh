#!/bin/sh
# t-tcp-delay.sh: the latency proxy the benchmark uses (tests/helpers/
# tcp-delay) in front of sshd: one round trip through it takes at least
# twice the delay (measured on the server, between sending a line and
# reading the answer), 10 MB pass intact both ways (more than its queue
# bound, so reading stops and resumes), and 500 concurrent connections from
# drove all succeed, after which the proxy holds no connection.  A second
# listener (-t given twice) forwards to its own target.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

[ -x "$FX_HELPERS/tcp-delay" ] ||
    fx_fail "no $FX_HELPERS/tcp-delay (make $FX_HELPERS/tcp-delay)"
fx_sshd s1
fx_sshd s2
delay=100

# Start the proxy to sshd; set PROXY_PORT and PROXY_PID.
"$FX_HELPERS/tcp-delay" -d $delay -t "$FX_PORT_s1" -t "$FX_PORT_s2" </dev/null \
    >"$FX_DIR/delay.port" 2>"$FX_DIR/delay.err" &
PROXY_PID=$!
fx_track $PROXY_PID
n=0
while [ "$(cat "$FX_DIR/delay.port" 2>/dev/null | grep -c .)" -lt 2 ]; do
	fx__alive $PROXY_PID || fx_fail "tcp-delay exited: $(cat "$FX_DIR/delay.err")"
	n=$((n + 1))
	[ $n -lt 1000 ] || fx_fail "tcp-delay did not start"
	fx__tick
done
PROXY_PORT=$(sed -n 1p "$FX_DIR/delay.port")
PROXY_PORT2=$(sed -n 2p "$FX_DIR/delay.port")
base_fds=$(ls /proc/$PROXY_PID/fd | wc -l)

# The proxy's ports must be known under their own names, with sshd's keys.
{
	fx_known_hosts s1 |
	    sed "s/^\[127.0.0.1\]:$FX_PORT_s1 /[127.0.0.1]:$PROXY_PORT /"
	fx_known_hosts s2 |
	    sed "s/^\[127.0.0.1\]:$FX_PORT_s2 /[127.0.0.1]:$PROXY_PORT2 /"
} >"$HOME/.ssh/known_hosts"

# ssh through the proxy's first port (or PORT) as the test user, host key
# checked.
pssh_()
{
	ssh -F /dev/null -p "${PORT:-$PROXY_PORT}" -i "$FX_KEY" \
	    -o IdentitiesOnly=yes \
	    -o BatchMode=yes -o StrictHostKeyChecking=yes \
	    -o UserKnownHostsFile="$HOME/.ssh/known_hosts" \
	    -l "$FX_USER" 127.0.0.1 "$@"
}

# One round trip: the server prints a timestamp, the client answers once it
# sees it, the server prints a second timestamp when the answer arrives.
mkfifo "$FX_DIR/rt.in"
pssh_ 'date +%s%N; read l; date +%s%N' <"$FX_DIR/rt.in" \
    >"$FX_DIR/rt.out" 2>"$FX_DIR/rt.err" &
rt_pid=$!
exec 8>"$FX_DIR/rt.in"
n=0
while [ "$(cat "$FX_DIR/rt.out" 2>/dev/null | grep -c .)" -lt 1 ]; do
	fx__alive $rt_pid || fx_fail "ssh exited: $(cat "$FX_DIR/rt.err")"
	n=$((n + 1))
	[ $n -lt 3000 ] || fx_fail "no first timestamp through the proxy"
	fx__tick
done
echo go >&8
exec 8>&-
wait $rt_pid || fx_fail "ssh through the proxy: $(cat "$FX_DIR/rt.err")"
fx_assert_eq 2 "$(grep -c '^[0-9][0-9]*$' "$FX_DIR/rt.out")" "two timestamps"
t1=$(sed -n 1p "$FX_DIR/rt.out")
t2=$(sed -n 2p "$FX_DIR/rt.out")
rt_ms=$(( (t2 - t1) / 1000000 ))
echo "round trip through the proxy: $rt_ms ms (delay $delay ms each way)" >&2
# (within the 2 ms that the proxy's millisecond clock and the rounding
# down of rt_ms may lose)
[ "$rt_ms" -ge $((2 * delay - 2)) ] ||
    fx_fail "round trip took $rt_ms ms, less than 2 * $delay ms"

# 10 MB each way, intact.
head -c 10485760 /dev/urandom >"$FX_DIR/data"
chmod 644 "$FX_DIR/data"
want=$(sha256sum <"$FX_DIR/data" | cut -d' ' -f1)
got=$(pssh_ sha256sum <"$FX_DIR/data") || fx_fail "upload through the proxy"
fx_assert_eq "$want  -" "$got" "10 MB uploaded intact"
pssh_ cat "$FX_DIR/data" </dev/null >"$FX_DIR/data.back" ||
    fx_fail "download through the proxy"
fx_assert_eq "$want" "$(sha256sum <"$FX_DIR/data.back" | cut -d' ' -f1)" \
    "10 MB downloaded intact"

# The second port leads to the second server.
got=$(PORT=$PROXY_PORT2 pssh_ 'echo $SSH_CONNECTION' </dev/null) ||
    fx_fail "ssh through the second port"
fx_assert_eq "$FX_PORT_s2" "$(echo "$got" | cut -d' ' -f4)" \
    "second port forwards to s2"

# 500 connections at once.
printf 'all:\n  vars:\n    ansible_user: %s\n  hosts:\n' "$FX_USER" \
    >"$FX_DIR/inv.yml"
i=1
while [ $i -le 500 ]; do
	printf '    n%04d: { ansible_host: 127.0.0.1, ansible_port: %s }\n' \
	    $i "$PROXY_PORT" >>"$FX_DIR/inv.yml"
	i=$((i + 1))
done
# (the fixture's sshd allows 1000 unauthenticated connections: drove's
# default of 8 at a time would make this last a minute and a half)
dr -i "$FX_DIR/inv.yml" --key "$FX_KEY" -f 0 --connect-timeout 60 --json \
    --max-startups 250 --connect-rate 1000 run all 'echo $SSH_CLIENT'
fx_assert_eq 0 "$FX_RC" "500 hosts through the proxy"
fx_assert_eq 500 "$(printf '%s\n' "$FX_OUT" | grep -c '"status":"ok"')" \
    "every host ok"

# Every pair closes once both ends have closed (each close is delayed too).
n=0
while [ "$(ls /proc/$PROXY_PID/fd | wc -l)" -ne "$base_fds" ]; do
	n=$((n + 1))
	[ $n -lt 1000 ] ||
	    fx_fail "proxy holds $(ls /proc/$PROXY_PID/fd | wc -l) fds, had $base_fds"
	fx__tick
done
fx__alive $PROXY_PID || fx_fail "tcp-delay exited: $(cat "$FX_DIR/delay.err")"
