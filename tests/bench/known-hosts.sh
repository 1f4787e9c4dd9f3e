#!/bin/sh
# tests/bench/known-hosts.sh: what a large known_hosts file costs drove.
#
# Usage: sh tests/bench/known-hosts.sh [HOSTS] [ENTRIES]   (default 200 10000)
# Runs `drove run all true` on HOSTS hosts, each at its own loopback
# address (127.0.X.Y; one sshd listens on 15 of them, its most), three ways:
# with a known_hosts file holding only the fleet's keys, then with ENTRIES
# other entries in front of them, plain and hashed (ssh-keygen -H), and
# prints client CPU per host for each (the median of three runs).  The
# hashed file costs an HMAC-SHA1 per entry for each host name looked up.
cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
case $O in /*) ;; *) O=$PWD/$O ;; esac
DROVE=$O/drove
FX_QUIET=1
DROVE_NO_HISTORY=1	# measure the runs, not their records
export O FX_QUIET DROVE_NO_HISTORY
. tests/fixtures/lib.sh
hosts=${1:-200}
entries=${2:-10000}
fx_init
fx_user
HOME=$FX_DIR/home
export HOME
mkdir -p "$HOME/.ssh"
per=15
nsrv=$(( (hosts + per - 1) / per ))
# addr I: host I's loopback address
addr()
{
	echo "127.0.$(( $1 / 200 + 1 )).$(( $1 % 200 + 2 ))"
}
printf 'all:\n  vars: { ansible_user: %s, key: %s }\n  hosts:\n' \
    "$FX_USER" "$FX_KEY" >"$FX_DIR/inv.yml"
: >"$FX_DIR/kh-fleet"
j=1
while [ $j -le $nsrv ]; do
	set --
	i=$(( (j - 1) * per + 1 ))
	while [ $i -le $(( j * per )) ] && [ $i -le "$hosts" ]; do
		set -- "$@" "ListenAddress=$(addr $i)"
		i=$((i + 1))
	done
	fx_sshd "b$j" hostkeys=ed25519 maxstartups=5000 LogLevel=ERROR "$@"
	eval "port=\$FX_PORT_b$j"
	eval "pub=\$FX_HOSTKEY_b$j"
	i=$(( (j - 1) * per + 1 ))
	while [ $i -le $(( j * per )) ] && [ $i -le "$hosts" ]; do
		echo "[$(addr $i)]:$port $(cut -d' ' -f1,2 "$pub")" \
		    >>"$FX_DIR/kh-fleet"
		printf '    n%05d: { ansible_host: %s, ansible_port: %s }\n' \
		    $i "$(addr $i)" "$port" >>"$FX_DIR/inv.yml"
		i=$((i + 1))
	done
	j=$((j + 1))
done
# ENTRIES other hosts with one key: what a large site's file looks like
key=$(cut -d' ' -f1,2 "$FX_KEY.pub")
awk -v n="$entries" -v k="$key" 'BEGIN { for (i = 1; i <= n; i++)
    printf "host%05d.example.net %s\n", i, k }' >"$FX_DIR/kh-big"
cat "$FX_DIR/kh-fleet" >>"$FX_DIR/kh-big"
cp "$FX_DIR/kh-big" "$FX_DIR/kh-hashed"
ssh-keygen -q -H -f "$FX_DIR/kh-hashed" >/dev/null 2>&1
rm -f "$FX_DIR/kh-hashed.old"

printf '%s hosts; known_hosts with %s other entries\n' "$hosts" "$entries"
printf '%-28s %9s %11s %10s\n' file wall_ms cpu_ms cpu/host
for f in kh-fleet kh-big kh-hashed; do
	: >"$FX_DIR/runs"
	for r in 1 2 3; do
		"$O/helpers/maxrss" "$FX_DIR/rss" "$DROVE" --no-agent \
		    -i "$FX_DIR/inv.yml" -f 0 --connect-rate 0 \
		    --max-startups 0 --known-hosts "$FX_DIR/$f" -q run all \
		    true >/dev/null 2>&1 || echo "run failed: $f" >&2
		cat "$FX_DIR/rss" >>"$FX_DIR/runs"
	done
	sort -n -k2 "$FX_DIR/runs" | sed -n 2p | while read -r rss usr sys wall; do
		printf '%-28s %9d %11d %10s\n' "$f ($(wc -l <"$FX_DIR/$f") lines)" \
		    "$wall" $((usr + sys)) \
		    "$(awk "BEGIN{printf \"%.2f\", ($usr+$sys)/$hosts}")"
	done
done
