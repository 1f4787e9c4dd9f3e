#!/bin/sh
# t-run-stdin-big.sh: stdin from a regular file is read from the file as
# each host sends it, never held whole: 1 GiB (sparse) to two hosts, on one
# loop and on two, in bounded memory.  A pipe is held in memory up to a cap
# (64 MiB); past it the hosts fail with a message that says so and what to
# do, and memory stays bounded.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
dr_inventory s1 2
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4
export ASAN_OPTIONS

# 1 GiB with a head and a tail, the rest a hole.
f=$FX_DIR/big.img
truncate -s 1G "$f"
printf 'head' | dd of="$f" conv=notrunc status=none
printf 'tail' | dd of="$f" bs=1 seek=1073741820 conv=notrunc status=none
want=$(cksum <"$f")
for loops in 1 2; do
	rc=0
	"$FX_HELPERS/maxrss" "$FX_DIR/rss" "$DROVE" --no-agent \
	    -i "$FX_DIR/inv.yml" --loops $loops run all cksum \
	    <"$f" >"$FX_DIR/out" 2>"$FX_DIR/err" || rc=$?
	cat "$FX_DIR/out" "$FX_DIR/err" >&2
	fx_assert_eq 0 "$rc" "1 GiB of stdin from a file, $loops loop(s)"
	fx_assert_eq 2 "$(grep -c ": $want\$" "$FX_DIR/out")" \
	    "every host got the whole file ($loops loop(s))"
	rss=$(cut -d' ' -f1 "$FX_DIR/rss")
	echo "peak RSS for 1 GiB of stdin, $loops loop(s): $rss KiB" >&2
	[ "$rss" -lt 65536 ] ||
	    fx_fail "peak RSS $rss KiB for 1 GiB of stdin (>= 64 MiB)"
done

# A pipe past the cap: a clear failure, in bounded memory.
rc=0
head -c 100000000 /dev/zero | "$FX_HELPERS/maxrss" "$FX_DIR/rss" \
    "$DROVE" --no-agent -i "$FX_DIR/inv.yml" run all 'wc -c' \
    >"$FX_DIR/out" 2>"$FX_DIR/err" || rc=$?
cat "$FX_DIR/out" "$FX_DIR/err" >&2
fx_assert_eq 3 "$rc" "a pipe past the cap fails the hosts"
fx_assert_match '^error \(2\): h\[0001-0002\]: stdin: more than 64 MiB from a pipe' \
    "$(cat "$FX_DIR/err")" "the message names the cap"
fx_assert_match 'redirect it from a file' "$(cat "$FX_DIR/err")" \
    "and says what to do"
rss=$(cut -d' ' -f1 "$FX_DIR/rss")
echo "peak RSS for 100 MB piped: $rss KiB" >&2
[ "$rss" -lt 131072 ] || fx_fail "peak RSS $rss KiB for a piped stdin"

# Under the cap a pipe still reaches every host whole, on two loops too.
head -c 20000000 /dev/urandom >"$FX_DIR/mid"
want=$(cksum <"$FX_DIR/mid")
rc=0
cat "$FX_DIR/mid" | "$DROVE" --no-agent -i "$FX_DIR/inv.yml" --loops 2 \
    run all cksum >"$FX_DIR/out" 2>"$FX_DIR/err" || rc=$?
fx_assert_eq 0 "$rc" "20 MB piped to two loops"
fx_assert_eq 2 "$(grep -c ": $want\$" "$FX_DIR/out")" "both hosts got it"
