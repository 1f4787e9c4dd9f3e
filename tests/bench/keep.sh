#!/bin/sh
# tests/bench/keep.sh: what kept sessions save, on N hosts of a loopback
# fleet (as tests/bench/run.sh makes it: one sshd per 100 hosts):
#
#   run        one fresh `drove run all CMD` (connect, command, close)
#   play       a 3-task `drove play` (a command, a template, a command
#              reading it back: tests/bench/play.sh's), each host's session
#              kept for the three tasks; its ratio to run
#   console-2  a command of a `drove console` after its first: the console
#              reads CMD from a fifo, once, then K more times (default 5),
#              each after the last one's summary; wall time and the
#              console's CPU (/proc/PID/stat) over those K, divided by K;
#              its ratio to run
#
# Wall time and client CPU (user+sys of drove); run and play: the median
# of RUNS runs (default 3) by wall time, each line measured on its own.
#
# Usage: sh tests/bench/keep.sh [N...]       (default: 500)
# Environment: O (build dir, default build), FORKS (default 500), CMD
# (default "true"), RUNS (default 3), K (default 5).  Pacing per server is
# off.
cd "$(dirname "$0")/../.." || exit 1
[ $# -gt 0 ] || set -- 500
FORKS=${FORKS:-500}
CMD=${CMD:-true}
RUNS=${RUNS:-3}
. tests/bench/fleet.sh
OUT=/tmp/drove-bench-keep

bench_play "$FX_DIR/play.yml"
K=${K:-5}

# Milliseconds since the epoch, and CPU ms of process PID (all threads,
# ended ones too).
now_ms()
{
	date +%s%3N
}
cpu_ms()
{
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, "");
	    print int(($12 + $13) * 1000 / hz) }' "/proc/$1/stat"
}

# console ARGS...: the console's commands after the first, as "wall_ms
# cpu_ms" each (the mean of K).  Its stderr comes through a fifo, read
# line by line until each summary: waiting blocks, so the measuring takes
# no CPU from the console and the servers (polling a file did).
console()
{
	rm -f "$FX_DIR/cmds" "$FX_DIR/errs"
	mkfifo "$FX_DIR/cmds" "$FX_DIR/errs"
	: >"$FX_DIR/err"
	"$@" console all <"$FX_DIR/cmds" >"$FX_DIR/out" 2>"$FX_DIR/errs" &
	pid=$!
	exec 7>"$FX_DIR/cmds" 8<"$FX_DIR/errs"
	k=0
	while [ $k -le "$K" ]; do
		if [ $k -eq 1 ]; then
			t0=$(now_ms)
			c0=$(cpu_ms $pid)
		fi
		printf '%s\n' "$CMD" >&7
		k=$((k + 1))
		while IFS= read -r line <&8; do
			printf '%s\n' "$line" >>"$FX_DIR/err"
			case $line in
			[0-9]*" host: "*|[0-9]*" hosts: "*) break ;;
			esac
		done
	done
	t1=$(now_ms)
	c1=$(cpu_ms $pid)
	exec 7>&-
	cat <&8 >>"$FX_DIR/err"
	exec 8<&-
	wait $pid
	echo "$(( (t1 - t0) / K )) $(( (c1 - c0) / K ))"
}

# measure CMD...: RUNS runs of CMD; print the median "wall_ms cpu_ms" by
# wall time.
measure()
{
	: >"$FX_DIR/runs"
	r=0
	while [ $r -lt "$RUNS" ]; do
		rm -rf "$OUT"
		mkdir -p "$OUT"
		chmod 1777 "$OUT"
		"$O/helpers/maxrss" "$FX_DIR/rss" "$@" </dev/null \
		    >"$FX_DIR/out" 2>&1 || echo "bench: exit $?: $*" >&2
		read -r rss usr sys wall <"$FX_DIR/rss"
		echo "$wall $((usr + sys))" >>"$FX_DIR/runs"
		r=$((r + 1))
	done
	sort -n "$FX_DIR/runs" | sed -n "$(( (RUNS + 1) / 2 ))p"
}

# row WHAT N WALL CPU [BASE_WALL BASE_CPU]: a line of the table.
row()
{
	printf '%-10s %6d %9d %9d' "$1" "$2" "$3" "$4"
	if [ $# -gt 4 ]; then
		printf ' %9s %9s' "$(awk "BEGIN{printf \"%.2f\", $3/$5}")" \
		    "$(awk "BEGIN{printf \"%.2f\", $4/$6}")"
	fi
	printf '\n'
}

printf '%s\n' "drove $("$DROVE" --version | cut -d' ' -f2), $(nproc) CPUs, forks=$FORKS, command '$CMD', median of $RUNS"
printf '%-10s %6s %9s %9s %9s %9s\n' what hosts wall_ms cpu_ms x_wall x_cpu
for n in "$@"; do
	bench_inventory "$n" >"$FX_DIR/inv.yml"
	set -- "$DROVE" --no-agent -i "$FX_DIR/inv.yml" -f "$FORKS" \
	    --connect-rate 0 --max-startups 0 --connect-timeout 60
	read -r rw rc <<EOF
$(measure "$@" -q run all "$CMD")
EOF
	row run "$n" "$rw" "$rc"
	read -r pw pc <<EOF
$(measure "$@" -q play "$FX_DIR/play.yml")
EOF
	row play "$n" "$pw" "$pc" "$rw" "$rc"
	read -r cw cc <<EOF
$(console "$@")
EOF
	row console-2 "$n" "$cw" "$cc" "$rw" "$rc"
done
rm -rf "$OUT"
