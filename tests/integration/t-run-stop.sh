#!/bin/sh
# t-run-stop.sh: a command stopped by --timeout or Ctrl-C is gone from the
# server: with --tty (a pty, hung up when the connection closes) always,
# without one only when libssh2 can send the SSH "signal" request (1.11 on;
# with 1.10 sshd leaves the command running, as documented).  The remote
# command writes its pid into a file; the test checks that process.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
dr_inventory s1 1
inv=$FX_DIR/inv.yml
P=$FX_DIR/remote
mkdir -m 777 "$P"

# Wait until file $1 holds a pid; set pid to it.
remote_pid()
{
	n=0
	until [ -s "$1" ]; do
		n=$((n + 1))
		[ $n -lt 1000 ] || fx_fail "no pid in $1"
		sleep 0.01
	done
	pid=$(cat "$1")
}

# Whether the remote process $1 ends within ten seconds.
gone()
{
	n=0
	while kill -0 "$1" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 1000 ] || return 1
		sleep 0.01
	done
}

# --tty: stdout and stderr come as one stream, without "\r"; -t before
# the command name too (keyscan's -t takes a value, run's does not).
dr -i "$inv" --no-history run --tty all 'echo a; echo b >&2'
fx_assert_eq 0 "$FX_RC"
fx_assert_eq "h0001: a
h0001: b" "$FX_OUT" "one stream, no CR"
dr -i "$inv" --no-history -t run all 'tty >/dev/null && echo pty'
fx_assert_eq "0 h0001: pty" "$FX_RC $FX_OUT" "-t before run"

# --timeout with --tty: the command is hung up.
dr -i "$inv" --no-history run --tty --timeout 1 all \
    "echo \$\$ >$P/tty; exec sleep 60"
fx_assert_eq 1 "$FX_RC" "timed out"
dr_summary timeout h0001 'command timed out after 1.000s'
remote_pid "$P/tty"
gone "$pid" || fx_fail "the command runs on after --timeout with --tty"

# Ctrl-C with --tty, in a terminal: the command is hung up.
dr_tmux "'$DROVE' --no-agent --no-history -i '$inv' run -t all 'echo \$\$ >$P/int; echo started; exec sleep 60'"
dr_tmux_wait '^h0001: started$'
dr_tmux_keys C-c
dr_tmux_end
fx_assert_eq 130 "$FX_RC"
remote_pid "$P/int"
gone "$pid" || fx_fail "the command runs on after Ctrl-C with --tty"

# Without a pty: gone when libssh2 sends the signal request, else left
# running (sshd signals nothing), which the documentation says.
dr -i "$inv" --no-history run --timeout 1 all "echo \$\$ >$P/plain; exec sleep 60"
fx_assert_eq 1 "$FX_RC"
remote_pid "$P/plain"
if pkg-config --atleast-version=1.11 libssh2; then
	gone "$pid" || fx_fail "TERM was not sent (libssh2 >= 1.11)"
else
	kill -0 "$pid" || fx_fail "libssh2 < 1.11 cannot signal: expected" \
	    "the command to run on"
	kill "$pid"
fi
exit 0
