#!/bin/sh
# t-run-stream.sh: stdin forwarded to every host then EOF, large output
# (100 MB from one host with bounded memory), commands that close stdout
# early or never read their stdin, binary output.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
dr_inventory s1 3

# stdin goes to every host, followed by EOF.
printf 'line one\nline two\n' >"$FX_DIR/in.txt"
fx_run sh -c '"$DROVE" --no-agent -i "$FX_DIR/inv.yml" run all "cat; echo end" <"$FX_DIR/in.txt"'
fx_assert_eq 0 "$FX_RC"
fx_assert_eq 9 "$(printf '%s\n' "$FX_OUT" | grep -c '^h000[1-3]: \(line one\|line two\|end\)$')" \
    "every host got stdin and EOF"
# From a pipe, 3 MB, checksummed on every host.
head -c 3000000 /dev/urandom >"$FX_DIR/big.in"
want=$(sha256sum <"$FX_DIR/big.in" | cut -d' ' -f1)
fx_run sh -c 'cat "$FX_DIR/big.in" | "$DROVE" --no-agent -i "$FX_DIR/inv.yml" run all sha256sum'
fx_assert_eq 0 "$FX_RC"
fx_assert_eq 3 "$(printf '%s\n' "$FX_OUT" | grep -c ": $want  -\$")" \
    "3 MB of piped stdin reached every host intact"
# A command that never reads its stdin still finishes.
fx_run sh -c '"$DROVE" --no-agent -i "$FX_DIR/inv.yml" run h0001 "echo quick" <"$FX_DIR/big.in"'
fx_assert_eq "0 h0001: quick" "$FX_RC $FX_OUT" "unread stdin does not hang"

# A command that closes stdout early and goes on: its exit status counts.
dr -i "$FX_DIR/inv.yml" run h0001 'echo early; exec >&- 2>&-; sleep 1; exit 7'
fx_assert_eq 1 "$FX_RC"
fx_assert_match '^h0001: early$' "$FX_OUT"
dr_summary failed h0001 'exit 7$'

# 100 MB from one host, streamed; memory stays bounded (the sanitizer
# build keeps freed memory in quarantine: keep that small).
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4
export ASAN_OPTIONS
rc=0
"$FX_HELPERS/maxrss" "$FX_DIR/rss" "$DROVE" --no-agent -i "$FX_DIR/inv.yml" \
    -o "$FX_DIR/big" -q run h0001 'head -c 100000000 /dev/zero' \
    >"$FX_DIR/big.lines" || rc=$?
fx_assert_eq 0 "$rc" "100 MB run"
fx_assert_eq 100000000 "$(tr -d '\n' <"$FX_DIR/big.lines" |
    sed 's/h0001: //g' | wc -c)" "all 100 MB shown"
fx_assert_eq 100000000 "$(wc -c <"$FX_DIR/big/h0001.out")" "all 100 MB arrived"
rss=$(cut -d" " -f1 "$FX_DIR/rss")
echo "peak RSS for 100 MB of output: $rss KiB"
[ "$rss" -lt 65536 ] || fx_fail "peak RSS $rss KiB is not bounded (>= 64 MiB)"

# A quiet command: keepalives reach the server while it runs.
dr -i "$FX_DIR/inv.yml" --keepalive 1 run h0001 'sleep 3; echo woke'
fx_assert_eq "0 h0001: woke" "$FX_RC $FX_OUT" "quiet command"
fx_assert_match 'keepalive@libssh2.org' "$(cat "$FX_LOG_s1")" \
    "keepalives sent while the command was quiet"
