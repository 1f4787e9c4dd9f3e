#!/bin/sh
# t-console.sh: drove console on a real terminal (tmux, TERM=xterm-256color,
# the screen read back): the prompt; two commands on 20 hosts over one
# connection per host (the servers' logs count them), gathered; Ctrl-C in
# a long command stops it on every host and keeps the sessions and the
# prompt; a host whose server dies between two commands is listed and the
# rest go on; the pattern changed; Ctrl-C at the prompt drops the line,
# even in the middle of a paste or between a key's poll() and its read();
# Ctrl-D leaves; every command is in the run history (history, history
# diff, run --rerun), and the line history persists.  Then the same
# without a terminal: commands from stdin.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
fx_sshd s2
fx_known_hosts s1 s2 >>"$HOME/.ssh/known_hosts"
# h0001..h0019 on s1, h0020 alone on s2.
{
	printf 'all:\n  vars:\n    ansible_user: %s\n' "$FX_USER"
	printf '    ansible_ssh_private_key_file: %s\n' "$FX_KEY"
	printf '    ansible_host: 127.0.0.1\n  hosts:\n'
	i=1
	while [ $i -le 20 ]; do
		port=$FX_PORT_s1
		[ $i -lt 20 ] || port=$FX_PORT_s2
		printf '    h%04d: {ansible_port: %s}\n' $i "$port"
		i=$((i + 1))
	done
} >"$FX_DIR/inv.yml"
export DROVE_HOME="$FX_DIR/dh"

# Connections server NAME accepted so far.
conns()
{
	grep -c 'Connection from 127.0.0.1 port' "$FX_DIR/$1/log"
}

sock=$FX_DIR/tmux.sock
# The whole pane, scrollback too.
screen()
{
	tmux -S "$sock" capture-pane -p -J -S - 2>/dev/null
}
# Wait until the screen has COUNT (default 1) lines matching ERE.
pane_wait()
{
	n=0
	until [ "$(screen | grep -Ec -- "$1")" -ge "${2:-1}" ]; do
		n=$((n + 1))
		[ $n -lt 3000 ] || fx_fail "no '$1' (x${2:-1}) on the screen:
$(screen)"
		sleep 0.01
	done
}
# Type a line.
type_line()
{
	tmux -S "$sock" send-keys -l -- "$1"
	tmux -S "$sock" send-keys Enter
}
# Prompts shown so far (each stays on the line typed after it).
prompts()
{
	screen | grep -Ec '^drove [^ ]+ \([0-9]+\)> '
}
# Type a line and wait for the prompt after it (nothing typed ahead).
ask()
{
	_p=$(prompts)
	type_line "$1"
	pane_wait '^drove [^ ]+ \([0-9]+\)> ' $((_p + 1))
}

tmux -S "$sock" new-session -d -x 120 -y 50 "TERM=xterm-256color \
    HOME='$HOME' DROVE_HOME='$DROVE_HOME' '$DROVE' --no-agent \
    -i '$FX_DIR/inv.yml' console all; echo console-exit=\$?; sleep 60"
fx_track "$(tmux -S "$sock" display-message -p '#{pid}')"
tmux -S "$sock" set-option -g history-limit 5000 >/dev/null

pane_wait '^connected to 20 of 20 hosts$'
pane_wait '^drove all \(20\)> $'

# Two commands, gathered, one connection per host for both.
ask 'echo hello'
pane_wait '^h\[0001-0020\] \(exit 0\)$'
pane_wait '^hello$'
ask 'echo $((6 * 7))'
pane_wait '^42$'
fx_assert_eq 19 "$(conns s1)" "s1: one connection per host, two commands"
fx_assert_eq 1 "$(conns s2)" "s2: one connection, two commands"

# Ctrl-C in a long command: every host stops, the sessions and the
# prompt stay.
type_line 'sleep 30; echo never'
sleep 1
tmux -S "$sock" send-keys C-c
pane_wait '^20 hosts: 20 cancelled$'
pane_wait '^drove all \(20\)> ' 4
ask 'echo after'
pane_wait '^after$'
fx_assert_no_match '^never$' "$(screen)" "the long command was stopped"
fx_assert_eq 19 "$(conns s1)" "s1: the sessions outlived Ctrl-C"
fx_assert_eq 1 "$(conns s2)" "s2: the session outlived Ctrl-C"

# s2 dies between two commands: h0020 is listed, the rest go on.
for p in $(fx__tree "$FX_PID_s2"); do
	kill -9 "$p" 2>/dev/null || true
done
sleep 0.5
ask 'echo still'
pane_wait '^h\[0001-0019\] \(exit 0\)$'
pane_wait '^still$'
pane_wait '^20 hosts: 19 ok, 1 (refused|unreachable)$'
pane_wait 'h0020.*closed by the server while idle; connecting again'
pane_wait '^drove all \(19\)> '
ask ':hosts'
pane_wait '^h0020 failed: .*refused'
pane_wait '^h0019 connected$'

# The pattern changed: three hosts, no new connection.
ask ':pattern h000[1-3]'
pane_wait '^drove h000\[1-3\] \(3\)> '
ask 'echo three'
pane_wait '^h\[0001-0003\] \(exit 0\)$'
ask ':mode lines'
ask 'echo lined'
pane_wait '^h0002: lined$'
fx_assert_eq 19 "$(conns s1)" "s1: no new connection for the pattern"

# Ctrl-C at the prompt drops the line being typed; Ctrl-D leaves.
_p=$(prompts)
tmux -S "$sock" send-keys -l 'echo dropped'
tmux -S "$sock" send-keys C-c
pane_wait '^drove [^ ]+ \([0-9]+\)> ' $((_p + 1))
# Ctrl-C landing while libedit still handles the keys before it (a long
# paste; the tty drops those not yet read): the new prompt comes at once,
# not at the next key.
_p=$(prompts)
tmux -S "$sock" send-keys -l "echo $(head -c 3000 /dev/zero | tr '\0' x)"
tmux -S "$sock" send-keys C-c
pane_wait '^drove [^ ]+ \([0-9]+\)> ' $((_p + 1))
ask 'echo fresh'
pane_wait '^h0003: fresh$'
fx_assert_no_match ': dropped$' "$(screen)" "the dropped line ran"
fx_assert_no_match ': xxx' "$(screen)" "the pasted line ran"
tmux -S "$sock" send-keys C-d
pane_wait '^console-exit=0$'
tmux -S "$sock" kill-server

# A Ctrl-C landing after poll() said a key was there and before the key is
# read: the tty discards the key, and the console must not then wait in
# read() for the next one.  strace holds each poll() of the console for a
# second on its way out, as a busy machine might, and the Ctrl-C comes
# within it.  (A tmux server of its own: the last one may still be
# exiting.  LeakSanitizer cannot work under a tracer, so a sanitizer
# build checks for leaks in the other consoles only.)
sock=$FX_DIR/tmux-strace.sock
tmux -S "$sock" new-session -d -x 120 -y 50 "TERM=xterm-256color \
    HOME='$HOME' DROVE_HOME='$DROVE_HOME' ASAN_OPTIONS=detect_leaks=0 \
    strace -f -o /dev/null \
    -e trace=poll -e inject=poll:delay_exit=1000000 '$DROVE' --no-agent \
    -i '$FX_DIR/inv.yml' console h0001; echo console-exit=\$?; sleep 60"
fx_track "$(tmux -S "$sock" display-message -p '#{pid}')"
pane_wait '^drove h0001 \(1\)> $'
tmux -S "$sock" send-keys -l x
sleep 0.3
tmux -S "$sock" send-keys C-c
pane_wait '^drove h0001 \(1\)> ' 2
tmux -S "$sock" send-keys C-d
pane_wait '^console-exit=0$'
tmux -S "$sock" kill-server

# Every command is in the run history, as a drove run.
dr history
fx_assert_eq 0 "$FX_RC" "history"
fx_assert_match "drove run all 'echo hello'" "$FX_OUT"
fx_assert_match "drove run 'h000\[1-3\]' 'echo three'" "$FX_OUT"
hello=$(printf '%s\n' "$FX_OUT" | awk "/'echo hello'/ { print \$1 }")
still=$(printf '%s\n' "$FX_OUT" | awk "/'echo still'/ { print \$1 }")
dr history show "$hello"
fx_assert_match '^h0020 +ok' "$FX_OUT" "h0020 ran the first command"
dr history diff "$hello" "$still"
fx_assert_eq 1 "$FX_RC" "history diff: hosts changed"
fx_assert_match 'h0020' "$FX_OUT" "history diff names h0020"
dr -i "$FX_DIR/inv.yml" run --rerun "$hello" -- echo again
fx_assert_eq 3 "$FX_RC" "rerun on the 20 hosts, h0020 gone"
fx_assert_eq 19 "$(printf '%s\n' "$FX_OUT" | grep -c ': again$')" \
    "the rerun ran on the others"
# (libedit's file encodes a space as \040)
fx_assert_match '^echo.040after$' "$(cat "$DROVE_HOME/console_history")" \
    "the line history is kept"

# Without a terminal: commands from stdin, one a line; keepalives go out
# while the console waits for the next one.
kalive()
{
	grep -c 'rtype keepalive@libssh2.org' "$FX_DIR/s1/log"
}
before=$(conns s1)
kbefore=$(kalive)
fx_run sh -c "{ echo 'echo piped'; sleep 3; echo ':mode diff';
    echo 'hostname >/dev/null; echo \$((1 + 1))'; } |
    '$DROVE' --no-agent --keepalive 1 -i '$FX_DIR/inv.yml' console \
    'h000[1-4]'"
fx_assert_eq 0 "$FX_RC" "piped console"
fx_assert_match '^h\[0001-0004\] \(exit 0\)$' "$FX_OUT"
fx_assert_match '^piped$' "$FX_OUT"
fx_assert_match '^4 of 4 hosts match the reference output$' "$FX_OUT" \
    "the second command in diff mode"
fx_assert_eq $((before + 4)) "$(conns s1)" \
    "one connection per host for the piped commands"
[ "$(kalive)" -ge $((kbefore + 4)) ] ||
    fx_fail "no keepalives from the idle sessions: $kbefore, then $(kalive)"
exit 0
