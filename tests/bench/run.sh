#!/bin/sh
# tests/bench/run.sh: how long `drove run` takes on N hosts of a loopback
# fleet, how much client CPU (user+sys) and how much memory (peak RSS).
#
# Usage: sh tests/bench/run.sh [N...]        (default: 100 500 1000)
# Environment: O (build dir, default build), FORKS (drove -f, default 0:
# every host at once), LOOPS (drove --loops, default automatic), CMD (remote
# command, default "true"), RUNS (runs per N, default 3; the median run by
# wall time is printed).  Pacing per server is off (--connect-rate 0
# --max-startups 0): the N hosts are one sshd whose MaxStartups is raised.
#
# The fleet is OpenSSH sshd on 127.0.0.1, one per 100 hosts (one sshd's
# listen backlog of 128 overflows with 1,000 connections at once and SYN
# retries then dominate), MaxStartups and MaxSessions high, reached under N
# inventory names, logging in as the fixture's test user (/bin/sh) with an
# ed25519 key, host keys checked (strict) against a known_hosts file.  The
# servers run on the same machine, so wall time includes their work for
# every connection; client CPU is drove's alone.
cd "$(dirname "$0")/../.." || exit 1
[ $# -gt 0 ] || set -- 100 500 1000
. tests/bench/fleet.sh

printf '%s\n' "drove $("$DROVE" --version | cut -d' ' -f2), libssh2 $(pkg-config --modversion libssh2), $(nproc) CPUs, forks=${FORKS:-0}, command '${CMD:-true}'"
printf '%6s %9s %11s %10s %9s %8s\n' hosts wall_ms cpu_ms cpu/host rss_MiB ok
for n in "$@"; do
	bench_inventory "$n" >"$FX_DIR/inv.yml"
	: >"$FX_DIR/runs"
	r=0
	while [ $r -lt "${RUNS:-3}" ]; do
		"$O/helpers/maxrss" "$FX_DIR/rss" "$DROVE" --no-agent \
		    -i "$FX_DIR/inv.yml" -f "${FORKS:-0}" --json \
		    --connect-rate 0 --max-startups 0 ${LOOPS:+--loops $LOOPS} \
		    --connect-timeout 60 run all "${CMD:-true}" \
		    >"$FX_DIR/out" 2>/dev/null
		ok=$(grep -c '"status":"ok"' "$FX_DIR/out")
		echo "$(cat "$FX_DIR/rss") $ok" >>"$FX_DIR/runs"
		r=$((r + 1))
	done
	# median by wall time: fields rss user sys wall ok
	sort -n -k4 "$FX_DIR/runs" | sed -n "$(( (${RUNS:-3} + 1) / 2 ))p" |
	    while read -r rss usr sys wall ok; do
		cpu=$((usr + sys))
		printf '%6d %9d %11d %10s %9s %8d\n' "$n" "$wall" "$cpu" \
		    "$(awk "BEGIN{printf \"%.2f\", $cpu/$n}")" \
		    "$(awk "BEGIN{printf \"%.1f\", $rss/1024}")" "$ok"
	done
done
