#!/bin/sh
# t-shell.sh: drove shell against a real sshd: on a terminal (script) the
# prompt appears, commands run, the exit status comes back, ~. disconnects
# and the terminal modes are restored; a command gets a pty (like ssh -t);
# without a terminal bytes pipe through; the window size reaches the remote
# side and follows a resize (tmux); connection failures exit 255 with why.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
dr_inventory s1 2
export DROVE_RECORD=no
sh="TERM=vt100 '$DROVE' --no-agent -i '$FX_DIR/inv.yml' shell"

# A prompt, a command's output, the exit status.
dr_pty "$sh h0001" '\$ $' 'echo mark-$((6 * 7))' '^mark-42' 'exit 7'
fx_assert_eq 7 "$FX_RC" "the remote shell's exit status"
fx_assert_match '^mark-42$' "$FX_OUT" "the command ran"

# ~. disconnects (255, as ssh); the terminal is as it was, both ways out.
dr_pty "stty -g >'$FX_DIR/tty.0'; $sh h0001; echo rc=\$?;
    stty -g >'$FX_DIR/tty.1'" '\$ $' '~.'
fx_assert_match 'Connection to h0001 closed\.$' "$FX_OUT"
fx_assert_match '^rc=255$' "$FX_OUT" "~. exits 255"
fx_assert_eq "$(cat "$FX_DIR/tty.0")" "$(cat "$FX_DIR/tty.1")" \
    "terminal restored after ~."
dr_pty "stty -g >'$FX_DIR/tty.0'; $sh h0001; stty -g >'$FX_DIR/tty.1'" \
    '\$ $' 'exit'
fx_assert_eq "$(cat "$FX_DIR/tty.0")" "$(cat "$FX_DIR/tty.1")" \
    "terminal restored after exit"

# ~? lists the escapes, ~~ sends one tilde, -e changes the escape.
dr_pty "$sh h0001" '\$ $' '~?' 'this message' '~~echo tilde' \
    'not found' 'exit'

fx_assert_match '^ ~\.   - terminate connection$' "$FX_OUT"
fx_assert_match ': ~echo: not found$' "$FX_OUT" "~~ sent one ~"
dr_pty "$sh -e % h0001; echo rc=\$?" '\$ $' 'echo ~.' '^~\.' '%.'
fx_assert_match '^rc=255$' "$FX_OUT" "-e % disconnects with %."

# A command with a pty, like ssh -t.
dr_pty "$sh h0001 -- 'tty; exit 3'"
fx_assert_eq 3 "$FX_RC" "a command's exit status"
fx_assert_match '^/dev/pts/[0-9]+$' "$FX_OUT" "the command has a terminal"

# Without a terminal: no pty, bytes pipe through.
# A script's "~." is data there, as in ssh.
out=$(printf 'echo piped\ntty\n~.\nexit 4\n' | "$DROVE" --no-agent \
    -i "$FX_DIR/inv.yml" shell h0001 2>"$FX_DIR/err") && rc=0 || rc=$?
fx_assert_eq 4 "$rc" "piped exit status"
fx_assert_eq "piped
not a tty" "$out" "piped output, no pty"
fx_assert_match '~\.: not found' "$(cat "$FX_DIR/err")" "~. was sent"

# Output waits while stdout is full (a pipe nobody reads yet), and all of
# it arrives; stdin at its end at once (/dev/null) is fine.
n=$("$DROVE" --no-agent -i "$FX_DIR/inv.yml" shell h0001 -- \
    'head -c 3000000 /dev/zero' </dev/null | { sleep 0.5; wc -c; })
fx_assert_eq 3000000 "$n" "every byte through a full pipe"

# SIGTERM closes the session and restores the terminal.
dr_pty "stty -g >'$FX_DIR/tty.0'
    $sh h0001 -- 'echo ready; exec sleep 60' </dev/tty & p=\$!
    until grep -q '^ready' '$FX_DIR/pty.ts'; do sleep 0.01; done
    stty -g >'$FX_DIR/tty.raw'; kill -TERM \$p; wait \$p; echo rc=\$?; stty -g >'$FX_DIR/tty.1'"
fx_assert_match '^rc=255$' "$FX_OUT" "SIGTERM exits 255"
fx_assert_eq "$(cat "$FX_DIR/tty.0")" "$(cat "$FX_DIR/tty.1")" \
    "terminal restored after SIGTERM"
[ "$(cat "$FX_DIR/tty.0")" != "$(cat "$FX_DIR/tty.raw")" ] ||
    fx_fail "the terminal was not raw during the session"

# The window size, and a resize, reach the remote side.
sock=$FX_DIR/tmux.sock
# Wait until the tmux pane shows a line LINE, pressing KEY (if given) each
# time it does not.
pane_wait()
{
	n=0
	until tmux -S "$sock" capture-pane -p | grep -qx -- "$1"; do
		n=$((n + 1))
		[ $n -lt 1000 ] || fx_fail "no '$1' in the pane: $(tmux \
		    -S "$sock" capture-pane -p)"
		[ -z "${2:-}" ] || tmux -S "$sock" send-keys "$2"
		sleep 0.01
	done
}
tmux -S "$sock" new-session -d -x 100 -y 30 "DROVE_RECORD=yes \
    DROVE_HOME='$FX_DIR/dh' $sh h0001 -- \
    'while stty size; do read x; done'"
fx_track "$(tmux -S "$sock" display-message -p '#{pid}')"
pane_wait '30 100'
tmux -S "$sock" resize-window -x 120 -y 40
pane_wait '40 120' Enter
fx_assert_match '^\[[0-9.]+, "r", "120x40"\]$' "$(cat "$FX_DIR"/dh/sessions/*)" \
    "the resize is recorded"
tmux -S "$sock" kill-server

# One host only; connection failures exit 255 with the reason.
dr -i "$FX_DIR/inv.yml" shell 'h*'
fx_assert_eq 2 "$FX_RC"
fx_assert_match "'h\*' matches 2 hosts, not one: h\[0001-0002\]" "$FX_ERR"
dr -H "127.0.0.1:$(fx_closed_port)" shell 127.0.0.1
fx_assert_eq 255 "$FX_RC" "connection refused"
fx_assert_match 'refused' "$FX_ERR"
exit 0
