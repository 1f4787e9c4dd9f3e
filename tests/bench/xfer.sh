#!/bin/sh
# tests/bench/xfer.sh: drove push beside scp, parallel-scp (pssh) and rsync
# over ssh, on the same loopback fleet in the same run: wall time, the
# aggregate rate, client CPU (user+sys, the tool and its ssh children) and
# peak RSS of the biggest process.
#
# Usage: sh tests/bench/xfer.sh
# Environment: O (build dir, default build), BIG (MB, default 1000) sent to
# one host, MID (MB, default 100) sent to N (default 20) hosts, SMALL
# (files, default 10000, 1 KiB each) sent to NSMALL (default 10) hosts,
# TOOLS (default "drove scp pscp rsync").
#
# Each host is an OpenSSH sshd with a tmpfs of its own (fx_sshd_private),
# logging in as the fixture's test user with an ed25519 key; the target is
# emptied before every run, so every tool writes every byte.  scp and rsync
# run one process per host, all at once.  Servers run on the same machine:
# wall time includes their work, CPU is the client's alone.
cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
case $O in /*) ;; *) O=$PWD/$O ;; esac
DROVE=$O/drove
FX_QUIET=1
export O FX_QUIET
. tests/fixtures/lib.sh
[ -x "$DROVE" ] && [ -x "$O/helpers/maxrss" ] ||
    { echo "build first: make all $O/helpers/maxrss" >&2; exit 1; }
BIG=${BIG:-1000}
MID=${MID:-100}
N=${N:-20}
SMALL=${SMALL:-10000}
NSMALL=${NSMALL:-10}
TOOLS=${TOOLS:-drove scp pscp rsync}
# Print the names h1..hCOUNT.
names()
{
	_i=1
	while [ $_i -le "$1" ]; do
		echo "h$_i"
		_i=$((_i + 1))
	done
}

# Empty the target directory on the first COUNT hosts.
clean()
{
	for _h in $(names "$1"); do
		fx_in "$_h" sh -c "rm -rf $D; mkdir -p $D; chown $FX_USER $D"
	done
}

# Run one tool's copy of SRC (-r for trees) to COUNT hosts into $D/.
copy()
{
	_tool=$1 _n=$2 _src=$3 _r=$4
	case $_tool in
	drove)
		"$DROVE" --no-agent -i "$FX_DIR/inv$_n.yml" -f 0 --json \
		    push $_r all "$_src" "$D/" >"$FX_DIR/out" 2>/dev/null ;;
	pscp)
		# shellcheck disable=SC2086
		parallel-scp -h "$FX_DIR/hosts$_n" -l "$FX_USER" -p "$_n" \
		    -O IdentityFile="$FX_KEY" \
		    -O UserKnownHostsFile="$HOME/.ssh/known_hosts" \
		    -O StrictHostKeyChecking=yes $_r "$_src" "$D/" \
		    >/dev/null 2>&1 ;;
	scp|rsync)
		for _h in $(names "$_n"); do
			_p=$(cat "$FX_DIR/$_h/port")
			if [ "$_tool" = scp ]; then
				# shellcheck disable=SC2086
				scp -q $SSHOPTS -P "$_p" $_r "$_src" \
				    "$FX_USER@127.0.0.1:$D/" &
			else
				rsync -a -e "ssh $SSHOPTS -p $_p" "$_src" \
				    "$FX_USER@127.0.0.1:$D/" &
			fi
		done
		wait ;;
	esac
}

# Print one line of figures for TOOL copying SRC (BYTES in all) to COUNT
# hosts, and whether every host got the right bytes (CHECK: a path under
# $D and the local file or tree it must equal).
bench()
{
	_case=$1 _tool=$2 _n=$3 _src=$4 _bytes=$5 _r=$6 _check=$7
	clean "$_n"
	"$O/helpers/maxrss" "$FX_DIR/rss" sh "$0" --copy "$_tool" "$_n" \
	    "$_src" "$_r"
	_want=$(cd "$L" && find "$_check" -type f | LC_ALL=C sort |
	    xargs cat | sha256sum)
	_ok=0
	for _h in $(names "$_n"); do
		_got=$(fx_in "$_h" sh -c "cd $D && find $_check -type f |
		    LC_ALL=C sort | xargs cat | sha256sum")
		[ "$_got" = "$_want" ] && _ok=$((_ok + 1))
	done
	read -r _rss _usr _sys _wall <"$FX_DIR/rss"
	printf '%-22s %-6s %8.2f %9.1f %8.2f %8.1f %3d/%d\n' "$_case" \
	    "$_tool" "$(awk "BEGIN{print $_wall/1000}")" \
	    "$(awk "BEGIN{print $_bytes*$_n/1e6/($_wall/1000)}")" \
	    "$(awk "BEGIN{print ($_usr+$_sys)/1000}")" \
	    "$(awk "BEGIN{print $_rss/1024}")" "$_ok" "$_n"
}

# The timed part runs as its own process: sh xfer.sh --copy TOOL N SRC R.
if [ "${1:-}" = --copy ]; then
	shift
	copy "$@"
	exit 0
fi

fx_init
fx_user
HOME=$FX_DIR/home
export HOME
mkdir -p "$HOME/.ssh"
D=$FX_DATA/bench
size=$((BIG * 21 / 10 + 64))m
[ $((MID * 21 / 10)) -gt $((BIG * 21 / 10)) ] && size=$((MID * 21 / 10 + 64))m
i=1
while [ $i -le $N ] || [ $i -le $NSMALL ]; do
	fx_sshd_private "h$i" hostkeys=ed25519 size="$size"
	i=$((i + 1))
done
L=$FX_DIR/src
mkdir -p "$L/small"
head -c $((BIG * 1000000)) /dev/urandom >"$L/big"
head -c $((MID * 1000000)) /dev/urandom >"$L/mid"
i=0
while [ $i -lt "$SMALL" ]; do
	head -c 1024 /dev/urandom >"$L/small/f$i"
	i=$((i + 1))
done
SSHOPTS="-i $FX_KEY -o UserKnownHostsFile=$HOME/.ssh/known_hosts"
SSHOPTS="$SSHOPTS -o StrictHostKeyChecking=yes -o BatchMode=yes"

export DROVE FX_DIR FX_USER FX_KEY HOME D SSHOPTS
for n in 1 "$N" "$NSMALL"; do
	# shellcheck disable=SC2046
	fx_inventory_each "$FX_USER" $(names "$n") >"$FX_DIR/inv$n.yml"
	for h in $(names "$n"); do
		echo "127.0.0.1:$(cat "$FX_DIR/$h/port")"
	done >"$FX_DIR/hosts$n"
done
# shellcheck disable=SC2046
fx_known_hosts $(names "$N") >"$HOME/.ssh/known_hosts"
# shellcheck disable=SC2046
[ "$NSMALL" -gt "$N" ] && fx_known_hosts $(names "$NSMALL") \
    >>"$HOME/.ssh/known_hosts"

printf 'drove %s, libssh2 %s, %s, %s CPUs, loopback\n' \
    "$("$DROVE" --version | cut -d' ' -f2)" \
    "$(pkg-config --modversion libssh2)" "$(ssh -V 2>&1 | cut -d, -f1)" \
    "$(nproc)"
printf '%-22s %-6s %8s %9s %8s %8s %s\n' case tool wall_s MB/s cpu_s \
    rss_MiB ok
for t in $TOOLS; do
	bench "${BIG} MB to 1 host" "$t" 1 "$L/big" $((BIG * 1000000)) "" big
done
for t in $TOOLS; do
	bench "${MID} MB to $N hosts" "$t" "$N" "$L/mid" $((MID * 1000000)) \
	    "" mid
done
for t in $TOOLS; do
	bench "$SMALL files to $NSMALL hosts" "$t" "$NSMALL" "$L/small" \
	    $((SMALL * 1024)) -r small
done
