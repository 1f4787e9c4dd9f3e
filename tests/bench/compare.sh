#!/bin/sh
# tests/bench/compare.sh: drove against pdsh, parallel-ssh, clush and
# ansible, running the same command on the same N hosts of a loopback fleet,
# optionally behind a latency proxy.
#
# Usage: sh tests/bench/compare.sh [options] [N...]    (default N: 100 500)
#   --latency MS   put tests/helpers/tcp-delay in front of the sshds, delaying
#                  each direction by MS ms (a round trip costs 2*MS)
#   --tools LIST   comma-separated, from drove,pdsh,pssh,clush,ansible
#                  (default: all)
#   --kex LIST     for the OpenSSH-based tools: curve25519 (KexAlgorithms
#                  curve25519-sha256, what drove negotiates), default
#                  (OpenSSH 9.2's default, sntrup761x25519-sha512), or
#                  both (default: curve25519,default)
#   --runs K       runs per tool and N; the median by wall time is printed
#                  (default 1)
#   --forks F      concurrency for every tool (default: N, every host at
#                  once; drove gets -f 0 when F >= N)
#   --timeout SEC  stop a tool after SEC seconds (default 600)
#   --per-server P hosts per sshd (default 100)
#   --no-sample    do not sample the memory of the tool's processes
# Environment: O (build dir, default build), CMD (remote command, default
# "uname -r").
#
# The fleet is OpenSSH sshds on 127.0.0.1 (MaxStartups and MaxSessions
# 10000, LogLevel ERROR), one per 100 hosts (--per-server): host nNNNN is
# served by sshd (NNNN - 1) / 100 + 1.  One sshd for every host would measure
# that sshd's accept queue (a backlog of 128, fixed in sshd): a tool that
# connects to 1000 hosts at once overflows it, the kernel drops SYNs and the
# clients retry after 1, 3, 7 s.  Hosts log in as the fixture's test user
# (/bin/sh) with one ed25519 key, host keys checked (strict) against one
# known_hosts file for every tool (a first pass runs each tool against a
# known_hosts with other keys and requires every host to fail).  The
# OpenSSH-based tools get a generated ssh_config (-F) mapping every name to
# 127.0.0.1 and its server's port; drove gets a YAML inventory of the same
# names and ports.  Every tool runs OpenSSH's ssh once per host, except
# drove (one process, one libssh2 session per host) and ansible (one ssh per
# host too, with pipelining on and no ControlMaster, its cheapest one-shot
# setting: ControlPersist would leave masters running, whose CPU no one
# counts, and without pipelining each host costs several ssh runs).
#
# Columns: wall time; client CPU (user+sys of the tool and of every child it
# waited for, e.g. its ssh processes); rss_max, the peak RSS of the largest
# single process (getrusage's ru_maxrss for children is a maximum, not a
# sum); rss_sum and pss_sum, the peak over time of the summed RSS and PSS of
# the tool's process tree, sampled from /proc every 0.5 s (RSS counts shared
# pages once per process, PSS splits them; a peak shorter than the interval
# can be missed; the sampler shares the 2 CPUs); ok, the hosts whose output
# the tool reported as a success; srv_cpu, the CPU of sshd and of its
# sessions for the run (the server runs on the same machine, so its work is
# in the wall time too).
cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
case $O in /*) ;; *) O=$PWD/$O ;; esac
DROVE=$O/drove
FX_QUIET=1
DROVE_NO_HISTORY=1	# measure the runs, not their records
export O FX_QUIET DROVE_NO_HISTORY
. tests/fixtures/lib.sh

latency=0
tools=drove,pdsh,pssh,clush,ansible
kexes=curve25519,default
runs=1
forks=
tmo=600
per=100
sample=1
while [ $# -gt 0 ]; do
	case $1 in
	--latency) latency=$2; shift ;;
	--tools) tools=$2; shift ;;
	--kex) kexes=$2; shift ;;
	--runs) runs=$2; shift ;;
	--forks) forks=$2; shift ;;
	--timeout) tmo=$2; shift ;;
	--per-server) per=$2; shift ;;
	--no-sample) sample= ;;
	--) shift; break ;;
	-*) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || set -- 100 500
CMD=${CMD:-uname -r}

[ -x "$DROVE" ] && [ -x "$O/helpers/maxrss" ] &&
    [ -x "$O/helpers/tcp-delay" ] ||
    { echo "build first: make all $O/helpers/maxrss $O/helpers/tcp-delay" >&2
      exit 1; }

# Keep the tools whose program is installed; say how to get the others.
have=
missing=
for t in $(echo "$tools" | tr ',' ' '); do
	case $t in
	drove) p=$DROVE pkg= ;;
	pdsh) p=pdsh pkg=pdsh ;;
	pssh) p=parallel-ssh pkg=pssh ;;
	clush) p=clush pkg=clustershell ;;
	ansible) p=ansible pkg=ansible-core ;;
	*) echo "compare.sh: unknown tool $t" >&2; exit 2 ;;
	esac
	if command -v "$p" >/dev/null 2>&1; then
		have="$have $t"
	else
		missing="$missing $pkg"
	fi
done
if [ -n "$missing" ]; then
	echo "compare.sh: not installed, skipped:$missing" >&2
	echo "compare.sh: install with: apt-get install$missing" >&2
fi
[ -n "$have" ] || exit 1

# The fixture, the test user and an empty HOME.
. tests/fixtures/drove.sh
# The servers: one sshd per $per hosts of the largest N; their ports (or
# the proxy's ports in front of them) one a line in $FX_DIR/ports.
max=0
for n in "$@"; do
	[ "$n" -gt "$max" ] && max=$n
done
nsrv=$(( (max + per - 1) / per ))
srv_pids=
targets=
j=1
while [ $j -le $nsrv ]; do
	fx_sshd "b$j" hostkeys=ed25519 maxstartups=10000 maxsessions=10000 \
	    LogLevel=ERROR
	eval "srv_pids=\"\$srv_pids \$FX_PID_b$j\" p=\$FX_PORT_b$j"
	targets="$targets -t $p"
	echo "$p" >>"$FX_DIR/ports"
	j=$((j + 1))
done
if [ "$latency" -gt 0 ]; then
	# shellcheck disable=SC2086
	"$O/helpers/tcp-delay" -d "$latency" $targets </dev/null \
	    >"$FX_DIR/delay.ports" &
	fx_track $!
	j=0
	while [ "$(cat "$FX_DIR/delay.ports" 2>/dev/null | grep -c .)" -lt $nsrv ]; do
		j=$((j + 1))
		[ $j -lt 1000 ] || fx_fail "tcp-delay did not start"
		fx__tick
	done
	cp "$FX_DIR/delay.ports" "$FX_DIR/ports"
fi
KH=$HOME/.ssh/known_hosts
j=1
while [ $j -le $nsrv ]; do
	p=$(sed -n "${j}p" "$FX_DIR/ports")
	fx_known_hosts "b$j" | sed "s/^\[127.0.0.1\]:[0-9]* /[127.0.0.1]:$p /"
	j=$((j + 1))
done >"$KH"

# Write the ssh_config for KEX (curve25519 or default) to $FX_DIR/ssh-KEX:
# the hosts' ports ($FX_DIR/ssh-ports), then what every host shares.
ssh_config()
{
	cp "$FX_DIR/ssh-ports" "$FX_DIR/ssh-$1"
	cat >>"$FX_DIR/ssh-$1" <<EOF
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
	ServerAliveInterval 0
EOF
	if [ "$1" = curve25519 ]; then
		printf '\tKexAlgorithms curve25519-sha256\n' >>"$FX_DIR/ssh-$1"
	fi
}
: >"$FX_DIR/ansible.cfg"

# Print the CPU (ms) the sshds and their reaped sessions have used so far.
srv_cpu()
{
	# shellcheck disable=SC2086
	cat $(printf '/proc/%s/stat ' $srv_pids) |
	    awk -v hz="$(getconf CLK_TCK)" '{
		sub(/^.*\) /, "")
		t += $12 + $13 + $14 + $15
	    } END { print int(t * 1000 / hz) }'
}

# Wait until sshd has no session left (each closes after the latency).
srv_idle()
{
	_i=0
	# shellcheck disable=SC2086
	while [ "$(fx__tree $srv_pids | wc -l)" -gt "$nsrv" ] &&
	    [ $_i -lt 3000 ]; do
		_i=$((_i + 1))
		fx__tick
	done
}

# Sample the summed RSS and PSS (KiB) of the tool's process tree until PID
# (maxrss, whose one child is timeout, whose child is the tool) exits; print
# the peaks "RSS PSS".
mem_sample()
{
	_peak="0 0"
	while fx__alive "$1"; do
		# shellcheck disable=SC2046
		_now=$(cat /dev/null $(fx__tree "$1" |
		    sed '1,2d; s|.*|/proc/&/smaps_rollup|') 2>/dev/null |
		    awk '/^Rss:/ { r += $2 } /^Pss:/ { p += $2 }
		    END { print r + 0, p + 0 }')
		_peak=$(echo "$_peak $_now" | awk '{
			print ($3 > $1 ? $3 : $1), ($4 > $2 ? $4 : $2) }')
		sleep 0.5
	done
	echo "$_peak"
}

# Write the files for N hosts, host i on server (i - 1) / $per + 1: hosts
# (one name a line), inv.yml (drove), ssh-curve25519 and ssh-default.
fleet_files()
{
	_i=1
	: >"$FX_DIR/hosts"
	: >"$FX_DIR/ssh-ports"
	printf 'all:\n  vars:\n    ansible_user: %s\n  hosts:\n' "$FX_USER" \
	    >"$FX_DIR/inv.yml"
	while [ "$_i" -le "$1" ]; do
		_p=$(sed -n "$(( (_i - 1) / per + 1 ))p" "$FX_DIR/ports")
		printf 'n%04d\n' "$_i" >>"$FX_DIR/hosts"
		printf 'Host n%04d\n\tPort %s\n' "$_i" "$_p" \
		    >>"$FX_DIR/ssh-ports"
		printf '    n%04d: { ansible_host: 127.0.0.1, ansible_port: %s }\n' \
		    "$_i" "$_p" >>"$FX_DIR/inv.yml"
		_i=$((_i + 1))
	done
	ssh_config curve25519
	ssh_config default
}

# Run TOOL with KEX config on N hosts with F forks under maxrss; append
# "rss_max user sys wall ok rss_sum pss_sum srv_cpu" to $FX_DIR/runs.
run_tool()
{
	_t=$1 _k=$2 _n=$3 _f=$4
	_cfg=$FX_DIR/ssh-$_k
	set --
	case $_t in
	drove)
		_df=$_f
		[ "$_f" -ge "$_n" ] && _df=0
		# no per-server pacing: these 100 "hosts" share one sshd,
		# where a real fleet has one server each
		set -- "$DROVE" --no-agent -i "$FX_DIR/inv.yml" --key "$FX_KEY" \
		    --known-hosts "$KH" -f "$_df" --json --connect-timeout 120 \
		    --connect-rate 0 --max-startups 0 run all "$CMD" ;;
	pdsh)
		export PDSH_SSH_ARGS="-F $_cfg -a -x -l%u %h"
		set -- pdsh -R ssh -f "$_f" -t 120 -l "$FX_USER" \
		    -w "^$FX_DIR/hosts" "$CMD" ;;
	pssh)
		set -- parallel-ssh -h "$FX_DIR/hosts" -p "$_f" -t 0 \
		    -x "-F $_cfg" "$CMD" ;;
	clush)
		set -- clush -f "$_f" -t 120 -u 0 --hostfile "$FX_DIR/hosts" \
		    -O fd_max=65536 -o "-F $_cfg" -l "$FX_USER" "$CMD" ;;
	ansible)
		export ANSIBLE_SSH_ARGS="-F $_cfg" ANSIBLE_PIPELINING=True \
		    ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_NOCOLOR=1 \
		    ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 \
		    ANSIBLE_LOCAL_TEMP=$FX_DIR/ansible-tmp ANSIBLE_TIMEOUT=120 \
		    ANSIBLE_CONFIG=$FX_DIR/ansible.cfg
		set -- ansible all -i "$FX_DIR/hosts" -f "$_f" -m command \
		    -a "$CMD" ;;
	esac
	srv_idle
	_s0=$(srv_cpu)
	"$O/helpers/maxrss" "$FX_DIR/rss" timeout -k 10 "$tmo" "$@" \
	    </dev/null >"$FX_DIR/out" 2>"$FX_DIR/err" &
	_pid=$!
	if [ -n "$sample" ]; then
		mem_sample $_pid >"$FX_DIR/mem"
	else
		echo "0 0" >"$FX_DIR/mem"
	fi
	wait $_pid
	_rc=$?
	srv_idle
	_s1=$(srv_cpu)
	_ok=$(count_ok "$_t")
	if [ "$_ok" -ne "$_n" ]; then
		echo "$_t kex=$_k n=$_n: exit $_rc, $_ok ok; stderr:" >&2
		sort "$FX_DIR/err" | uniq -c | sort -rn | head -5 >&2
	fi
	echo "$(cat "$FX_DIR/rss") $_ok $(cat "$FX_DIR/mem") $((_s1 - _s0))" \
	    >>"$FX_DIR/runs"
}

# Print how many hosts TOOL reported as successful in $FX_DIR/out.
count_ok()
{
	case $1 in
	drove) grep -c '"status":"ok"' "$FX_DIR/out" ;;
	pssh) grep -c ' \[SUCCESS\] ' "$FX_DIR/out" ;;
	ansible) grep -Ec '^n[0-9]+ \| (CHANGED|SUCCESS) \|' "$FX_DIR/out" ;;
	*) sed -n 's/^\(n[0-9]*\): .*/\1/p' "$FX_DIR/out" | sort -u |
	    grep -c . ;;
	esac
}

# Every tool must refuse hosts whose key is not the known one: run each on
# two hosts against a known_hosts holding another key, expecting no success.
hostkey_check()
{
	cp "$KH" "$KH.good"
	ssh-keygen -q -t ed25519 -N '' -f "$FX_DIR/other" </dev/null
	sed "s/ .*//; s|\$| $(cut -d' ' -f1,2 "$FX_DIR/other.pub")|" \
	    "$KH.good" >"$KH"
	fleet_files 2
	for _t in $have; do
		: >"$FX_DIR/runs"
		run_tool "$_t" curve25519 2 2 2>/dev/null
		[ "$(cut -d' ' -f5 "$FX_DIR/runs")" -eq 0 ] ||
		    fx_fail "$_t accepted a host key not in known_hosts"
	done
	cp "$KH.good" "$KH"
	: >"$FX_DIR/runs"
}
hostkey_check

echo "drove $("$DROVE" --version | cut -d' ' -f2)," \
    "libssh2 $(pkg-config --modversion libssh2)," \
    "$(ssh -V 2>&1 | cut -d, -f1), $(nproc) CPUs, $nsrv sshd," \
    "latency $latency ms each way, command '$CMD'," \
    "runs $runs (median by wall)"
printf '%-8s %-10s %5s %5s %8s %8s %8s %8s %8s %8s %5s %8s\n' tool kex hosts \
    forks wall_ms cpu_ms cpu/host rss_max rss_sum pss_sum ok srv_cpu
for n in "$@"; do
	fleet_files "$n"
	f=${forks:-$n}
	for t in $have; do
		ks=$kexes
		[ "$t" = drove ] && ks=curve25519
		for k in $(echo "$ks" | tr ',' ' '); do
			: >"$FX_DIR/runs"
			r=0
			while [ $r -lt "$runs" ]; do
				run_tool "$t" "$k" "$n" "$f"
				r=$((r + 1))
			done
			sort -n -k4 "$FX_DIR/runs" |
			    sed -n "$(( (runs + 1) / 2 ))p" |
			    while read -r rss usr sys wall ok rsum psum srv; do
				cpu=$((usr + sys))
				printf '%-8s %-10s %5d %5d %8d %8d %8s %8s %8s %8s %5d %8d\n' \
				    "$t" "$k" "$n" "$f" "$wall" "$cpu" \
				    "$(awk "BEGIN{printf \"%.2f\", $cpu/$n}")" \
				    "$(awk "BEGIN{printf \"%.1f\", $rss/1024}")" \
				    "$(awk "BEGIN{printf \"%.1f\", $rsum/1024}")" \
				    "$(awk "BEGIN{printf \"%.1f\", $psum/1024}")" \
				    "$ok" "$srv"
			done
		done
	done
done
