#!/bin/sh
# tests/bench/jump.sh: N targets behind one bastion, drove -J against
# OpenSSH's ProxyJump as parallel-ssh runs it (one ssh, so one bastion
# login, per target), and drove straight to the targets under the same
# latency.
#
# Usage: sh tests/bench/jump.sh [N] [LATENCY_MS]    (default 500 25)
# Environment: O (build dir, default build), CMD (remote command, default
# "uname -r"), RUNS (runs of each, the median by wall time is printed,
# default 1), CHANNELS (drove's --jump-channels, default its own).
#
# Everything is on loopback: a bastion sshd and one target sshd per 100
# targets (a single sshd's accept queue would be the measure otherwise),
# target i at 127.0.0.1 on server (i - 1) / 100 + 1.  tests/helpers/
# tcp-delay delays each direction by LATENCY_MS between the client and the
# bastion (every run through the bastion) and between the client and each
# target server (the direct run): the bastion is near its targets, the
# client far from both.  Host keys are checked (strict) against one
# known_hosts; every run logs in as the fixture's test user with one
# ed25519 key.  ssh runs with curve25519-sha256 (what drove negotiates),
# no ControlMaster, ProxyJump to the bastion, through parallel-ssh -p N.
#
# Columns: wall time; client CPU (user+sys of the tool and every child it
# waited for: drove is one process, parallel-ssh runs 2 ssh per target, one
# for the target and one for the jump); bastion CPU (its sshd and every
# session process it reaped, from /proc); conns, the TCP connections the
# bastion accepted (its log, LogLevel VERBOSE); ok, targets that ran CMD.
cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
case $O in /*) ;; *) O=$PWD/$O ;; esac
DROVE=$O/drove
FX_QUIET=1
DROVE_NO_HISTORY=1
export O FX_QUIET DROVE_NO_HISTORY
. tests/fixtures/lib.sh

N=${1:-500}
LAT=${2:-25}
CMD=${CMD:-uname -r}
RUNS=${RUNS:-1}
per=100
[ -x "$DROVE" ] && [ -x "$O/helpers/maxrss" ] &&
    [ -x "$O/helpers/tcp-delay" ] ||
    { echo "build first: make all $O/helpers/maxrss $O/helpers/tcp-delay" >&2
      exit 1; }
command -v parallel-ssh >/dev/null ||
    { echo "jump.sh: needs parallel-ssh (apt-get install pssh)" >&2; exit 1; }

. tests/fixtures/drove.sh
fx_sshd bast hostkeys=ed25519 maxstartups=10000 maxsessions=10000 \
    LogLevel=VERBOSE
nsrv=$(( (N + per - 1) / per ))
srv=
j=1
while [ $j -le $nsrv ]; do
	fx_sshd "t$j" hostkeys=ed25519 maxstartups=10000 maxsessions=10000 \
	    LogLevel=ERROR
	eval "srv=\"\$srv -t \$FX_PORT_t$j\""
	j=$((j + 1))
done
# one proxy: the bastion first, then the target servers
# shellcheck disable=SC2086
"$O/helpers/tcp-delay" -d "$LAT" -t "$FX_PORT_bast" $srv </dev/null \
    >"$FX_DIR/delay.ports" &
fx_track $!
j=0
while [ "$(grep -c . "$FX_DIR/delay.ports" 2>/dev/null)" -le $nsrv ]; do
	j=$((j + 1))
	[ $j -lt 1000 ] || fx_fail "tcp-delay did not start"
	fx__tick
done
BD=$(sed -n 1p "$FX_DIR/delay.ports")
KH=$HOME/.ssh/known_hosts
{
	fx_known_hosts bast | sed "s/^\[127.0.0.1\]:[0-9]* /[127.0.0.1]:$BD /"
	j=1
	while [ $j -le $nsrv ]; do
		fx_known_hosts "t$j"
		d=$(sed -n "$((j + 1))p" "$FX_DIR/delay.ports")
		fx_known_hosts "t$j" |
		    sed "s/^\[127.0.0.1\]:[0-9]* /[127.0.0.1]:$d /"
		j=$((j + 1))
	done
} >"$KH"

# The inventories (through the bastion: the servers' own ports; direct:
# the proxy's) and the ssh_config.
printf 'all:\n  vars:\n    ansible_user: %s\n  hosts:\n' "$FX_USER" \
    >"$FX_DIR/jump.yml"
cp "$FX_DIR/jump.yml" "$FX_DIR/direct.yml"
: >"$FX_DIR/hosts"
: >"$FX_DIR/ssh_config"
i=1
while [ $i -le "$N" ]; do
	j=$(( (i - 1) / per + 1 ))
	eval "p=\$FX_PORT_t$j"
	d=$(sed -n "$((j + 1))p" "$FX_DIR/delay.ports")
	printf '    n%04d: { ansible_host: 127.0.0.1, ansible_port: %s }\n' \
	    "$i" "$p" >>"$FX_DIR/jump.yml"
	printf '    n%04d: { ansible_host: 127.0.0.1, ansible_port: %s }\n' \
	    "$i" "$d" >>"$FX_DIR/direct.yml"
	printf 'n%04d\n' "$i" >>"$FX_DIR/hosts"
	printf 'Host n%04d\n\tPort %s\n' "$i" "$p" >>"$FX_DIR/ssh_config"
	i=$((i + 1))
done
cat >>"$FX_DIR/ssh_config" <<EOF
Host bastion
	Port $BD
Host *
	HostName 127.0.0.1
	User $FX_USER
	IdentityFile $FX_KEY
	IdentitiesOnly yes
	IdentityAgent none
	UserKnownHostsFile $KH
	GlobalKnownHostsFile /dev/null
	StrictHostKeyChecking yes
	CheckHostIP no
	BatchMode yes
	ControlMaster no
	ControlPath none
	ConnectTimeout 120
	KexAlgorithms curve25519-sha256
EOF
printf 'Host n*\n\tProxyJump bastion\n' | cat - "$FX_DIR/ssh_config" \
    >"$FX_DIR/ssh_config.jump"

# CPU (ms) of the bastion's sshd and the sessions it reaped so far.
bast_cpu()
{
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, "")
	    print int(($12 + $13 + $14 + $15) * 1000 / hz) }' \
	    "/proc/$FX_PID_bast/stat"
}
# Connections the bastion accepted so far.
bast_conns()
{
	grep -c 'Connection from ' "$FX_LOG_bast"
}
# Wait until the bastion has no session process left.
bast_idle()
{
	_i=0
	while [ "$(fx__tree "$FX_PID_bast" | wc -l)" -gt 1 ] &&
	    [ $_i -lt 3000 ]; do
		_i=$((_i + 1))
		fx__tick
	done
}

# run NAME CMD...: one run; appends "NAME wall user sys bcpu conns ok".
run()
{
	_name=$1
	shift
	bast_idle
	_c0=$(bast_cpu) _n0=$(bast_conns)
	"$O/helpers/maxrss" "$FX_DIR/rss" timeout -k 10 600 "$@" </dev/null \
	    >"$FX_DIR/out" 2>"$FX_DIR/err" || true
	bast_idle
	_c1=$(bast_cpu) _n1=$(bast_conns)
	case $_name in
	ssh*) _ok=$(grep -c ' \[SUCCESS\] ' "$FX_DIR/out") ;;
	*) _ok=$(grep -c '"status":"ok"' "$FX_DIR/out") ;;
	esac
	if [ "$_ok" -ne "$N" ]; then
		echo "$_name: $_ok of $N ok; stderr:" >&2
		sort "$FX_DIR/err" | uniq -c | sort -rn | head -5 >&2
	fi
	read -r _rss _u _s _w <"$FX_DIR/rss"
	echo "$_name $_w $_u $_s $((_c1 - _c0)) $((_n1 - _n0)) $_ok" \
	    >>"$FX_DIR/runs"
}

dflags="--no-agent --key $FX_KEY --known-hosts $KH -f 0 --json
    --connect-timeout 120 --connect-rate 0 --max-startups 0
    ${CHANNELS:+--jump-channels $CHANNELS}"
: >"$FX_DIR/runs"
k=0
while [ $k -lt "$RUNS" ]; do
	# shellcheck disable=SC2086
	run drove-direct "$DROVE" $dflags -i "$FX_DIR/direct.yml" run all "$CMD"
	# shellcheck disable=SC2086
	run drove-J "$DROVE" $dflags -i "$FX_DIR/jump.yml" \
	    -J "$FX_USER@127.0.0.1:$BD" run all "$CMD"
	run ssh-J parallel-ssh -h "$FX_DIR/hosts" -p "$N" -t 0 \
	    -x "-F $FX_DIR/ssh_config.jump" "$CMD"
	k=$((k + 1))
done

echo "$N targets, $LAT ms each way between the client and the bastion" \
    "(and the targets, direct)"
printf '%-13s %8s %11s %9s %11s %9s %6s %5s\n' run wall client_cpu \
    cpu/host bastion_cpu cpu/target conns ok
for name in drove-direct drove-J ssh-J; do
	grep "^$name " "$FX_DIR/runs" | sort -k2 -n |
	    sed -n "$(( (RUNS + 1) / 2 ))p"
done | awk -v n="$N" '{
	cpu = $3 + $4
	printf "%-13s %7.2fs %10.2fs %7.2fms %10.2fs %7.2fms %6d %5d\n",
	    $1, $2 / 1000, cpu / 1000, cpu / n, $5 / 1000, $5 / n, $6, $7
}'
