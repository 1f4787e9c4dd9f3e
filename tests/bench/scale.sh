#!/bin/sh
# tests/bench/scale.sh: one run on 10,000 hosts at once (--forks 0) with
# drove's default pacing and timeouts: does every host end ok, how long
# does it take, and how much memory does drove use at its peak.
#
# Usage: sh tests/bench/scale.sh [HOSTS [SERVERS]]   (default 10000 20)
# Environment: O (build dir, default build), CMD (remote command, default
# "true"), LOOPS (drove --loops, default automatic).
#
# The fleet is SERVERS OpenSSH sshd on 127.0.0.1, each with sshd's default
# MaxStartups (10:30:100) and an ed25519 host key checked (strict), the
# hosts spread over them in order, logging in as the fixture's test user
# with an ed25519 key.  drove runs with its defaults (--connect-rate 100,
# --max-startups 8 per server, --connect-timeout 10, --retries 1) but
# --forks 0: every host starts at once and waits for its server's turn.
# Prints the outcome counts, wall time, drove's CPU and peak RSS, and the
# open-file limit drove ran under.
cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
case $O in /*) ;; *) O=$PWD/$O ;; esac
DROVE=$O/drove
FX_QUIET=1
DROVE_NO_HISTORY=1
export O FX_QUIET DROVE_NO_HISTORY
. tests/fixtures/lib.sh
. tests/bench/spread.sh
[ -x "$DROVE" ] && [ -x "$O/helpers/maxrss" ] ||
    { echo "build first: make all $O/helpers/maxrss" >&2; exit 1; }
hosts=${1:-10000}
nsrv=${2:-20}
fx_init
fx_user
HOME=$FX_DIR/home
export HOME
mkdir -p "$HOME/.ssh"
bench_servers "$nsrv" hostkeys=ed25519 maxstartups=10:30:100 \
    maxsessions=10 LogLevel=ERROR
j=1
while [ $j -le "$nsrv" ]; do
	fx_known_hosts "s$j" >>"$HOME/.ssh/known_hosts"
	j=$((j + 1))
done
bench_inventory "$hosts" "$nsrv" >"$FX_DIR/inv.yml"
printf 'drove %s, libssh2 %s, %s CPUs, %s hosts on %s sshd, open files %s\n' \
    "$("$DROVE" --version | cut -d' ' -f2)" \
    "$(pkg-config --modversion libssh2)" "$(nproc)" "$hosts" "$nsrv" \
    "$(ulimit -n)/$(ulimit -Hn)"
rc=0
# shellcheck disable=SC2086
"$O/helpers/maxrss" "$FX_DIR/rss" "$DROVE" --no-agent -i "$FX_DIR/inv.yml" \
    --forks 0 ${LOOPS:+--loops $LOOPS} -q --json run all "${CMD:-true}" \
    >"$FX_DIR/out" 2>"$FX_DIR/err" || rc=$?
read -r rss usr sys wall <"$FX_DIR/rss"
printf 'exit %s: %s\n' "$rc" "$(sed -n \
    's/.*"status":"\([a-z]*\)".*/\1/p' "$FX_DIR/out" | sort | uniq -c |
    awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}')"
printf 'wall %.1f s, drove CPU %.1f s (%.2f ms a host), peak RSS %.1f MiB\n' \
    "$(awk "BEGIN{print $wall/1000}")" "$(awk "BEGIN{print ($usr+$sys)/1000}")" \
    "$(awk "BEGIN{print ($usr+$sys)/$hosts}")" "$(awk "BEGIN{print $rss/1024}")"
sed -n 's/.*"status":"\([a-z]*\)".*"error":"\([^"]*\)".*/\1: \2/p' \
    "$FX_DIR/out" | grep -v '^ok' | sort | uniq -c | sort -rn | head -5
