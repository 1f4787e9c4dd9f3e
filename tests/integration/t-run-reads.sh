#!/bin/sh
# t-run-reads.sh: drove reads a socket only when it may hold bytes.  libssh2
# reads until a socket is empty on every call, so each step of a job used
# to make several reads that found it empty; now a read that finds it
# empty, or takes all there was, leaves it alone until epoll says it is
# readable.  strace counts the reads that found a socket empty: a run of
# `true` on 20 hosts makes at most 3 a host (13 before), a console that
# connects and runs three commands at most 10 a host (30 before); every
# host still ends ok.  A kept session between commands is looked at (a
# MSG_PEEK) only when its socket may hold bytes: at most 2 looks a host for
# those three commands (8 before).  A command without stdin sends its EOF
# behind its exec request, both in one segment (the request sent with
# MSG_MORE): one such send a host and command (none before).
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
dr_inventory s1 20
# LeakSanitizer (SAN=1 builds) cannot run under ptrace
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS

# empty FILE: the reads strace found failing (EAGAIN) in its summary FILE.
empty()
{
	awk '$NF == "recvfrom" { print NF == 6 ? $5 : 0 }' "$1"
}

strace -f -qq -c -e trace=recvfrom -o "$FX_DIR/run.st" \
    "$DROVE" --no-agent -i "$FX_DIR/inv.yml" run all true \
    >"$FX_DIR/run.out" 2>"$FX_DIR/run.err"
fx_assert_eq 0 "$?" "the run under strace"
fx_assert_match '^20 hosts: 20 ok' "$(cat "$FX_DIR/run.err")" "every host ok"
n=$(empty "$FX_DIR/run.st")
fx_log "run: $n empty reads"
[ "$n" -le 60 ] || fx_fail "run: $n reads found the socket empty (at most 60)"

printf 'true\ntrue\ntrue\n' | strace -f -qq -c -e trace=recvfrom \
    -o "$FX_DIR/console.st" "$DROVE" --no-agent -i "$FX_DIR/inv.yml" \
    console all >"$FX_DIR/console.out" 2>"$FX_DIR/console.err"
fx_assert_eq 0 "$?" "the console under strace"
fx_assert_eq 3 "$(grep -c '^20 hosts: 20 ok' "$FX_DIR/console.err")" \
    "three commands, every host ok"
n=$(empty "$FX_DIR/console.st")
fx_log "console: $n empty reads"
[ "$n" -le 200 ] ||
    fx_fail "console: $n reads found the socket empty (at most 200)"

printf 'true\ntrue\ntrue\n' | strace -f -qq -e trace=sendto,recvfrom \
    -o "$FX_DIR/sends.st" "$DROVE" --no-agent -i "$FX_DIR/inv.yml" \
    console all >"$FX_DIR/sends.out" 2>"$FX_DIR/sends.err"
fx_assert_eq 0 "$?" "the console under strace, sends"
fx_assert_eq 3 "$(grep -c '^20 hosts: 20 ok' "$FX_DIR/sends.err")" \
    "three commands, every host ok, sends"
fx_assert_eq 60 "$(grep -c 'sendto(.*MSG_MORE' "$FX_DIR/sends.st")" \
    "exec requests with their EOF behind"
n=$(grep -c 'recvfrom(.*MSG_PEEK' "$FX_DIR/sends.st")
fx_log "console: $n looks at idle sessions"
[ "$n" -le 40 ] || fx_fail "console: $n looks at idle sessions (at most 40)"
exit 0
