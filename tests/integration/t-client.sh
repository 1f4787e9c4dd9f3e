#!/bin/sh
# t-client.sh: libdrove's blocking client against real sshd: the examples
# client-exec and client-sftp, typed connect errors (refused, timeout,
# unknown and changed host key, authentication), every SFTP call and its
# refusals, streaming, a command timeout, a shell on a pty, and clients in
# several threads at once (tests/client/client-test.c).  The programs are built here
# against $O/libdrove.a, the examples as strict C99.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

san=
case $O in
*-san) san="-fsanitize=address,undefined -fno-sanitize-recover=all" ;;
esac
libs="$O/libdrove.a $(pkg-config --libs libssh2 yaml-0.1 sqlite3 libcrypto) -pthread"
# shellcheck disable=SC2086
for p in client-exec client-sftp; do
	fx_run cc -std=c99 -pedantic -Wall -Wextra -Werror $san \
	    -I"$FX_ROOT/src" -o "$FX_DIR/$p" \
	    "$FX_ROOT/contrib/examples/$p.c" $libs
	fx_assert_eq 0 "$FX_RC" "build $p"
done
# shellcheck disable=SC2086
fx_run cc -std=gnu11 -Wall -Wextra -Werror $san -I"$FX_ROOT/src" \
    -o "$FX_DIR/client-test" "$FX_ROOT/tests/client/client-test.c" $libs
fx_assert_eq 0 "$FX_RC" "build client-test"

fx_sshd s1
fx_sshd s2
fx_known_hosts s1 >"$FX_DIR/kh"
P=$FX_PORT_s1
C="$FX_DIR/kh $FX_KEY root 127.0.0.1"

# client-exec: output, stderr and exit status; a signal.
# shellcheck disable=SC2086
fx_run "$FX_DIR/client-exec" $C "$P" 'echo out; echo err >&2; exit 3'
fx_assert_eq 3 "$FX_RC" "client-exec exit status"
fx_assert_eq out "$FX_OUT" "client-exec stdout"
fx_assert_eq "err
client-exec: exit 3" "$FX_ERR" "client-exec stderr"
# shellcheck disable=SC2086
fx_run "$FX_DIR/client-exec" $C "$P" 'kill -KILL $$'
fx_assert_eq 129 "$FX_RC" "client-exec killed"
fx_assert_eq "client-exec: killed by SIGKILL" "$FX_ERR" "client-exec signal"

# client-sftp: put, get, stat; again over the existing file (mv -f).
head -c 3000000 /dev/urandom >"$FX_DIR/src"
# shellcheck disable=SC2086
fx_run "$FX_DIR/client-sftp" $C "$P" "$FX_DIR/src" "$FX_DIR/remote" \
    "$FX_DIR/copy"
fx_assert_eq 0 "$FX_RC" "client-sftp"
fx_assert_eq "$FX_DIR/remote: 3000000 bytes, mode 640" "$FX_OUT"
cmp "$FX_DIR/src" "$FX_DIR/remote" || fx_fail "remote differs"
cmp "$FX_DIR/src" "$FX_DIR/copy" || fx_fail "copy differs"
fx_assert_eq 640 "$(stat -c %a "$FX_DIR/remote")" "remote mode"
printf 'new\n' >"$FX_DIR/src"
# shellcheck disable=SC2086
fx_run "$FX_DIR/client-sftp" $C "$P" "$FX_DIR/src" "$FX_DIR/remote" \
    "$FX_DIR/copy"
fx_assert_eq 0 "$FX_RC" "client-sftp over an existing file"
fx_assert_eq new "$(cat "$FX_DIR/remote")" "replaced remote"
fx_assert_eq new "$(cat "$FX_DIR/copy")" "replaced copy"
fx_assert_eq "" "$(find "$FX_DIR" -name '.*.drove-*')" "temporary files left"

# Typed connect errors; the client stays usable but unconnected.
T=$FX_DIR/client-test
# shellcheck disable=SC2086
fx_run "$T" $C "$(fx_closed_port)" connect
fx_assert_match '^connect -7 connect to 127\.0\.0\.1 port [0-9]+: connection refused$' "$FX_OUT"
fx_assert_eq "exec -3 not connected" "$(echo "$FX_OUT" | sed -n 2p)"
fx_silent
# shellcheck disable=SC2086
fx_run "$T" $C "$FX_SILENT_PORT" connect
fx_assert_match '^connect -8 connect to 127\.0\.0\.1 port [0-9]+ timed out after 3\.000s during handshake$' "$FX_OUT"
fx_run "$T" "$FX_DIR/kh" "$FX_KEY" nosuchuser 127.0.0.1 "$P" connect
fx_assert_match '^connect -10 authentication as nosuchuser to 127\.0\.0\.1 failed: tried 0 agent keys, 1 key file' "$FX_OUT"
: >"$FX_DIR/kh-empty"
fx_run "$T" "$FX_DIR/kh-empty" "$FX_KEY" root 127.0.0.1 "$P" connect
fx_assert_match "^connect -9 host key for \[127\.0\.0\.1\]:$P is unknown: ssh-ed25519 SHA256:" "$FX_OUT"
fx_known_hosts s2 | sed "s/:$FX_PORT_s2 /:$P /" >"$FX_DIR/kh-changed"
fx_run "$T" "$FX_DIR/kh-changed" "$FX_KEY" root 127.0.0.1 "$P" connect
fx_assert_match "^connect -9 host key for \[127\.0\.0\.1\]:$P .*changed" "$FX_OUT"
fx_run "$T" "$FX_DIR/kh-empty" "$FX_KEY" root 127.0.0.1 "$P" connect \
    accept-new
fx_assert_eq "connect 0
exec 0
exec exit=0 signal= out=[connected
] err=[]" "$FX_OUT" "accept-new"
fx_assert_match "^\[127\.0\.0\.1\]:$P ssh-ed25519 " "$(cat "$FX_DIR/kh-empty")"

# The default identities: ~/.ssh/id_ed25519.
fx_run "$T" "$FX_DIR/kh" - root 127.0.0.1 "$P" connect
fx_assert_match '^connect -10 authentication as root to 127\.0\.0\.1 failed: tried 0 agent keys, 0 key files' "$FX_OUT"
cp "$FX_KEY" "$HOME/.ssh/id_ed25519"
fx_run "$T" "$FX_DIR/kh" - root 127.0.0.1 "$P" connect
rm "$HOME/.ssh/id_ed25519"
fx_assert_eq "connect 0" "$(echo "$FX_OUT" | sed -n 1p)" "default identity"

# Every SFTP call, refusals keeping the connection, streaming, a command
# timeout closing it.
# shellcheck disable=SC2086
fx_run "$T" $C "$P" ops "$FX_DIR/ops"
fx_assert_eq 0 "$FX_RC" "ops"
D=$FX_DIR/ops
fx_assert_eq "exec-unconnected -3 not connected
connect 0
mkdir 0
mkdir-again -4 mkdir $D on 127.0.0.1: failure
stat-dir 0
stat-dir mode=40750
stat-missing -15 stat $D/missing on 127.0.0.1: no such file or directory
get-missing -15 stat $D/missing on 127.0.0.1: no such file or directory
put 0
stat-file 0
stat-file size=1000000 mode=100600
put-replace 0
get 0
get same=1
put-onto-dir -3 put $D: is a directory
put-no-dir -15 open $D/none/.f.drove-XXXXXXXX.tmp on 127.0.0.1: no such file or directory
ls 0
ls exit=0 signal= out=[.
..
f
] err=[]
rename 0
rename-missing -15 rename $D/f on 127.0.0.1: no such file or directory
remove-dir-full -4 remove $D on 127.0.0.1: failure
remove-file 0
remove-dir 0
stat-removed -15 stat $D on 127.0.0.1: no such file or directory
stream 0
stream out=[outmore] err=[err] exit=-1 signal=TERM
timeout -8 command timed out after 0.500s
after-timeout -3 not connected
reconnect 0
exec 0
exec exit=0 signal= out=[again
] err=[]
close 0
close-again 0" "$(echo "$FX_OUT" | sed 's/drove-[0-9a-f]\{8\}\.tmp/drove-XXXXXXXX.tmp/')" \
    "ops"
fx_assert_eq 12345 "$(stat -c %s "$D.copy")" "the replaced file came back"

# A shell for the caller's poll loop: its pty size, a resize, its exit
# status; then one hung up, which closes the connection.
# shellcheck disable=SC2086
fx_run "$T" $C "$P" shell
fx_assert_eq 0 "$FX_RC" "shell"
fx_assert_eq "connect 0
invoke 0
busy -3 a shell is running
mark-42 1
size 24 80 1
mark-48 1
size 50 100 1
eof 1
shell-close 0
shell exit=3 signal=
exec 0
exec exit=0 signal= out=[after
] err=[]
invoke-again 0
ready 1
hang-up -13 disconnected
after-hang-up -3 not connected
close-no-shell -3 no shell" "$FX_OUT" "shell"

# Clients in four threads at once.
# shellcheck disable=SC2086
fx_run "$T" $C "$P" threads 4 20
fx_assert_eq 0 "$FX_RC" "threads"
fx_assert_eq "thread 0 ok
thread 1 ok
thread 2 ok
thread 3 ok" "$FX_OUT" "every thread"

# Through a jump host (s2) and through a proxy command, twice each: one
# login on the jump host per connect, and s1 sees s2's side as its client
# (all on loopback; t-jump proves the path in namespaces).
{ fx_known_hosts s1; fx_known_hosts s2; } >"$FX_DIR/kh2"
J="$FX_DIR/kh2 $FX_KEY root 127.0.0.1"
before=$(grep -c 'Accepted publickey' "$FX_LOG_s2")
# shellcheck disable=SC2086
fx_run "$T" $J "$P" jump 127.0.0.1 "$FX_PORT_s2"
fx_assert_eq 0 "$FX_RC" "client through a jump host"
fx_assert_eq 2 "$(printf '%s\n' "$FX_OUT" | grep -c "^exec exit=0 signal= out=\[127.0.0.1 [0-9]* 127.0.0.1 $P$")" \
    "commands through the jump host"
fx_assert_eq 2 "$(($(grep -c 'Accepted publickey' "$FX_LOG_s2") - before))" \
    "jump host logins"
# shellcheck disable=SC2086
fx_run "$T" $J "$P" proxy "ssh -i $FX_KEY -o UserKnownHostsFile=$FX_DIR/kh2 -o BatchMode=yes -p $FX_PORT_s2 -W %h:%p root@127.0.0.1"
fx_assert_eq 0 "$FX_RC" "client through a proxy command"
fx_assert_eq 2 "$(printf '%s\n' "$FX_OUT" | grep -c "^exec exit=0 signal= out=\[127.0.0.1 [0-9]* 127.0.0.1 $P$")" \
    "commands through the proxy command"
# shellcheck disable=SC2086
fx_run "$T" $J "$P" jump 127.0.0.1 "$(fx_closed_port)"
fx_assert_match '^connect -7 via 127.0.0.1: connect to 127.0.0.1 port [0-9]+: connection refused$' \
    "$FX_OUT" "a refused jump host"
