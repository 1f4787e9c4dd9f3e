#!/bin/sh
# run.sh: build the fuzz targets and run each for a bounded time.
#
# Usage: sh tests/fuzz/run.sh [-t SECONDS] [--replay] [TARGET...]
#
# Targets: inventory (the YAML and host list loader, with an export and
# reload check), ini (the INI loader, with the same check), pattern (host patterns), sshconfig (the ssh_config parser),
# playbook (the playbook loader, then every field rendered, condition
# tested and loop resolved), pexpr (expressions and templates, with a shell
# read-back of every quoted string).
# With clang, each is built with libFuzzer, ASan and UBSan into build/fuzz/
# and run for SECONDS (default 30) over a working corpus in
# build/fuzz/corpus-TARGET seeded from tests/fuzz/corpus-TARGET; crashes
# are saved as build/fuzz/crash-TARGET-*.  With --replay, or without clang,
# each target is built with cc, ASan and UBSan against tests/fuzz/replay.c
# and run once over the seed corpus.  Exits non-zero when a target fails.
set -eu
cd "$(dirname "$0")/../.."
secs=30
replay=
while [ $# -gt 0 ]; do
	case $1 in
	-t) secs=$2; shift 2 ;;
	--replay) replay=1; shift ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || set -- inventory ini pattern sshconfig playbook pexpr
O=build/fuzz
PKGS="libssh2 yaml-0.1 sqlite3 libcrypto"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
if [ -z "$replay" ] && ! command -v clang >/dev/null 2>&1; then
	echo "run.sh: no clang: replaying the seed corpus instead" >&2
	replay=1
fi
if [ -n "$replay" ]; then
	CC=${CC:-cc}
	LIBSAN=$SAN
	O=build/fuzz-replay
else
	CC=clang
	LIBSAN="$SAN -fsanitize=fuzzer-no-link"
fi
CFLAGS="-std=gnu11 -g -O1 -fno-omit-frame-pointer -pthread \
    $(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -pthread"
mkdir -p "$O/lib"
objs=
for src in src/*/*.c; do
	case $src in
	src/cli/*) continue ;;
	esac
	obj=$O/lib/$(echo "${src#src/}" | tr / -)
	obj=${obj%.c}.o
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] ||
	    [ -n "$(find src -name '*.h' -newer "$obj")" ]; then
		$CC $CFLAGS $LIBSAN -Isrc -DDROVE_BUILDING -c -o "$obj" "$src"
	fi
	objs="$objs $obj"
done
rc=0
for t in "$@"; do
	if [ -n "$replay" ]; then
		$CC $CFLAGS $SAN -Isrc -o "$O/fuzz-$t" "tests/fuzz/fuzz-$t.c" \
		    tests/fuzz/replay.c $objs $LIBS
		"$O/fuzz-$t" tests/fuzz/corpus-$t/* || rc=1
		continue
	fi
	$CC $CFLAGS $SAN -fsanitize=fuzzer -Isrc -o "$O/fuzz-$t" \
	    "tests/fuzz/fuzz-$t.c" $objs $LIBS
	mkdir -p "$O/corpus-$t"
	echo "fuzz-$t: $secs s" >&2
	"$O/fuzz-$t" -max_total_time="$secs" -max_len=4096 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$O/crash-$t-" "$O/corpus-$t" \
	    "tests/fuzz/corpus-$t" >"$O/fuzz-$t.log" 2>&1 || {
		echo "fuzz-$t: FAILED, see $O/fuzz-$t.log" >&2
		tail -n 40 "$O/fuzz-$t.log" >&2
		rc=1
		continue
	}
	grep -E '^stat::number_of_executed_units|^stat::new_units_added' \
	    "$O/fuzz-$t.log" | sed "s/^/fuzz-$t: /" >&2
done
exit $rc
