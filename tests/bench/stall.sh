#!/bin/sh
# tests/bench/stall.sh: the longest time a loop thread spends on one turn
# (from epoll_wait's return to its next call) in a run that does the local
# work the loops must not block on: every host's key new to known_hosts
# (--host-key-check accept-new appends each one), output to -o files, the
# history written, and another process holding the store's write lock for
# LOCK_S seconds in the middle of the run.  Then a pull of a PULL_MB file
# from every host; as root, into an ext4 image (a loop mount in a mount
# namespace of its own) frozen (fsfreeze) for LOCK_S seconds from one
# second in: a disk that does not take writes for that long.
#
# Usage: sh tests/bench/stall.sh [HOSTS [SERVERS]]   (default 300 3)
# Environment: O (build dir, default build), LOCK_S (default 3), FORKS
# (default 10, so that a turn holds little work for hosts), LOOPS, PULL_MB
# (default 2).
#
# drove reports each loop's turns with DROVE_STALLS=1 when it frees the
# loop ("loop: N turns, busy B ms, longest turn L ms"); the largest L of
# the run is printed, with the run's wall time.  A turn also holds the CPU
# work of the hosts ready at once (handshakes, output), hence few forks:
# compare the figure with what a blocking write would cost (an fsync, or
# LOCK_S).
cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
case $O in /*) ;; *) O=$PWD/$O ;; esac
DROVE=$O/drove
FX_QUIET=1
export O FX_QUIET
. tests/fixtures/lib.sh
. tests/bench/spread.sh
[ -x "$DROVE" ] && [ -x "$O/helpers/maxrss" ] ||
    { echo "build first: make all $O/helpers/maxrss" >&2; exit 1; }
hosts=${1:-300}
nsrv=${2:-3}
fx_init
fx_user
HOME=$FX_DIR/home
DROVE_HOME=$FX_DIR/drove-home
export HOME DROVE_HOME
mkdir -p "$HOME/.ssh"
bench_servers "$nsrv" hostkeys=ed25519 LogLevel=ERROR
# each host its own name, so that each one's key is new
bench_inventory "$hosts" "$nsrv" distinct >"$FX_DIR/inv.yml"
# a first run makes the store
"$DROVE" --no-agent -i "$FX_DIR/inv.yml" --host-key-check off run n00001 \
    true >/dev/null 2>&1 </dev/null
# hold the store's write lock for LOCK_S seconds, from one second in
(
	sleep 1
	{ echo 'BEGIN IMMEDIATE;'; sleep "${LOCK_S:-3}"; echo 'COMMIT;'; } |
	    sqlite3 "$DROVE_HOME/drove.db" >/dev/null 2>&1
) &
fx_track $!
rm -f "$HOME/.ssh/known_hosts"
t0=$(date +%s%N)
# shellcheck disable=SC2086
DROVE_STALLS=1 "$DROVE" --no-agent -i "$FX_DIR/inv.yml" -f "${FORKS:-10}" \
    ${LOOPS:+--loops $LOOPS} --host-key-check accept-new -o "$FX_DIR/o" \
    -q run all 'seq 1 2000' >/dev/null 2>"$FX_DIR/err" </dev/null
wall=$(( ($(date +%s%N) - t0) / 1000000 ))
printf 'drove %s, %s CPUs, %s hosts on %s sshd, store locked %s s\n' \
    "$("$DROVE" --version | cut -d' ' -f2)" "$(nproc)" "$hosts" "$nsrv" \
    "${LOCK_S:-3}"
printf 'keys added: %s, hosts ok: %s, wall %s ms\n' \
    "$(grep -c . "$HOME/.ssh/known_hosts")" \
    "$(grep -l '^ok' "$FX_DIR/o"/*.status | wc -l)" "$wall"
# longest FILE: the longest loop turn of the run whose stderr is FILE.
longest()
{
	sed -n 's/.*loop: \([0-9]*\) turns, busy \([0-9.]*\) ms, longest turn \([0-9.]*\) ms/\3 \1 \2/p' \
	    "$1" | sort -n -r | head -1 |
	    while read -r longest turns busy; do
		printf 'longest loop turn %s ms (of %s turns, %s ms busy)\n' \
		    "$longest" "$turns" "$busy"
	    done
}
longest "$FX_DIR/err"

# The pull.
mkdir -p "$FX_DIR/src" "$FX_DIR/dl"
head -c $((${PULL_MB:-2} * 1000000)) /dev/urandom >"$FX_DIR/src/f"
chmod -R a+rX "$FX_DIR/src"
cat >"$FX_DIR/pull.sh" <<EOF
D='$FX_DIR/dl'
if [ "\$(id -u)" -eq 0 ] && [ "${LOCK_S:-3}" -gt 0 ]; then
	truncate -s $((${PULL_MB:-2} * hosts * 2 + 64))M '$FX_DIR/disk.img'
	mkfs.ext4 -q -F '$FX_DIR/disk.img'
	mount -o loop '$FX_DIR/disk.img' "\$D" || exit 1
	trap 'fsfreeze -u "\$D" 2>/dev/null' EXIT
	(sleep 1; fsfreeze -f "\$D"; sleep ${LOCK_S:-3}; fsfreeze -u "\$D") &
	echo "local disk frozen ${LOCK_S:-3} s from 1 s in"
fi
t0=\$(date +%s%N)
DROVE_STALLS=1 '$DROVE' --no-agent -i '$FX_DIR/inv.yml' -f ${FORKS:-10} \
    ${LOOPS:+--loops $LOOPS} -q pull all '$FX_DIR/src/f' "\$D" \
    >/dev/null 2>'$FX_DIR/pull.err' </dev/null
echo "pull wall \$(( (\$(date +%s%N) - t0) / 1000000 )) ms, files: \$(find "\$D" -name f | wc -l)"
wait
EOF
if [ "$(id -u)" -eq 0 ]; then
	fx_loop_dev
	unshare -m --propagation private sh "$FX_DIR/pull.sh"
else
	sh "$FX_DIR/pull.sh"
fi
longest "$FX_DIR/pull.err"
