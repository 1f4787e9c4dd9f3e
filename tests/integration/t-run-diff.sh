#!/bin/sh
# t-run-diff.sh: drove run --diff against two servers whose hosts print
# different things (the server's port): the most common output is the
# reference, the odd hosts are one diff, grouped; a host not reached is
# listed apart.  Then the status line on a terminal, erased around output.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
fx_sshd s2
closed=$(fx_closed_port)
fx_known_hosts s1 s2 >>"$HOME/.ssh/known_hosts"

cat >"$FX_DIR/inv.yml" <<YML
all:
  vars:
    ansible_user: $FX_USER
    ansible_host: 127.0.0.1
    ansible_ssh_private_key_file: $FX_KEY
  hosts:
    a1: { ansible_port: $FX_PORT_s1 }
    b1: { ansible_port: $FX_PORT_s2 }
    a2: { ansible_port: $FX_PORT_s1 }
    gone: { ansible_port: $closed }
    a3: { ansible_port: $FX_PORT_s1 }
    b2: { ansible_port: $FX_PORT_s2 }
YML

# One line in the middle differs by server; stderr still comes as lines.
dr -i "$FX_DIR/inv.yml" --diff run all \
    'echo one; echo two; echo $SSH_CONNECTION | cut -d" " -f4; echo three;
     echo note >&2'
fx_assert_eq 3 "$FX_RC" "exit status with a host not reached"
fx_assert_eq "3 of 6 hosts match the reference output; 2 differ; 1 not reached
--- reference (3 hosts: a[1-3])
+++ b[1-2]
@@ -1,4 +1,4 @@
 one
 two
-$FX_PORT_s1
+$FX_PORT_s2
 three
not reached: gone (refused: connect to 127.0.0.1 port $closed: connection refused (after 2 tries))" \
    "$FX_OUT" "diff output"
fx_assert_match '^b2: +note$' "$FX_ERR" "stderr lines go to stderr"
fx_assert_match '^6 hosts: 5 ok, 1 refused$' "$FX_ERR" "summary"

# Every host the same: only the count.
dr -i "$FX_DIR/inv.yml" --diff run 'all:!gone' 'echo same'
fx_assert_eq 0 "$FX_RC"
fx_assert_eq "5 of 5 hosts match the reference output" "$FX_OUT"

# The status line: drawn on the terminal's stderr when the first host
# starts, erased ("\r ESC [K") before each output line and at the end.  The
# hosts wait for $FX_DIR/go, made once the terminal echoes what dr_pty types
# on seeing the status line, so drove still runs when it types.
esc=$(printf '\033')
(
	n=0
	while ! grep -q go-now "$FX_DIR/pty.ts" 2>/dev/null && [ $n -lt 3000 ]
	do
		n=$((n + 1))
		sleep 0.01
	done
	touch "$FX_DIR/go"
) &
fx_track $!
dr_pty "TERM=xterm $DROVE --no-agent --color never \
    -i $FX_DIR/inv.yml run 'all:!gone' \
    'n=0; while ! [ -e $FX_DIR/go ] && [ \$n -lt 600 ]; do n=\$((n + 1));
     sleep 0.05; done; echo three'" 'slowest: ' go-now
fx_assert_eq 0 "$FX_RC" "exit status on a terminal"
fx_assert_match '\[ 0/5 done, 0 failed \] slowest: a1 0s' "$FX_OUT" \
    "status line with the running hosts"
fx_assert_match "$esc\\[K[ab][1-3]: +three$" "$FX_OUT" \
    "the status line is erased before output"
fx_assert_eq 5 "$(printf '%s\n' "$FX_OUT" | grep -c ': *three$')" \
    "every host's line"
fx_assert_match "$esc\\[K5 hosts: 5 ok$" "$FX_OUT" \
    "the status line is gone before the summary"
