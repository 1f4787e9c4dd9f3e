#!/bin/sh
# t-term-ask.sh: the host-key question in a real terminal (tmux,
# TERM=screen-256color), the screen read back: the status line stops while
# the question is up and typed answers echo after it; "none" ends a run
# that has no status line (--json, play); one Ctrl-C at the question
# cancels the run, prints the summary and exits 130 with every host
# recorded; drove shell asks before the terminal goes raw; the question
# and its review count and show every host sharing a key, also past the
# startup limit.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
fx_sshd s3
kh=$FX_DIR/kh
DROVE_HOME=$FX_DIR/dh
export DROVE_HOME
{
	echo "all:"
	echo "  vars: { ansible_user: $FX_USER, ansible_host: 127.0.0.1," \
	    "key: $FX_KEY }"
	echo "  hosts:"
	for i in 01 02 03 04 05 06 07 08 09 10; do
		echo "    a$i: { ansible_port: $FX_PORT_s1 }"
	done
	echo "    k1: { ansible_port: $FX_PORT_s3 }"
} >"$FX_DIR/inv.yml"
drove="'$DROVE' --no-agent -i '$FX_DIR/inv.yml' --known-hosts '$kh'"
question='Accept and add (it|them) to known_hosts\? \[a\]ll, \[n\]one, \[r\]eview one by one:'

# 1. The status line (the run goes on: k1 sleeps) does not redraw over the
# question, and the answer echoes right after it.
fx_known_hosts s3 >"$kh"
dr_tmux "$drove run 'a0[1-3],k1' 'sleep 1; echo ran'"
dr_tmux_wait "$question"
sleep 0.5	# five status line ticks, had they gone on
dr_tmux_keys a Enter
dr_tmux_end
fx_assert_eq 0 "$FX_RC" "accept all"
fx_assert_match "^${question} a$" "$FX_OUT" "the answer echoes after the question"
fx_assert_match "^drove: 3 hosts presented a key that $kh does not hold:" \
    "$FX_OUT"
fx_assert_eq 4 "$(printf '%s\n' "$FX_OUT" | grep -Ec '^[ak]0*[1-3]: +ran$')"

# 2. "none" without a status line ends the run: --json, and play.
fx_known_hosts s3 >"$kh"
dr_tmux "timeout --foreground 60 $drove run --json 'a0[1-3],k1' 'echo ran'"
dr_tmux_wait "$question"
dr_tmux_keys n Enter
dr_tmux_end
fx_assert_eq 3 "$FX_RC" "none with --json ends (not 124, the timeout)"
fx_assert_match '"host": *"k1"' "$FX_OUT"
cat >"$FX_DIR/play.yml" <<'YML'
- hosts: "a0[1-3],k1"
  tasks:
    - name: say
      run: echo ran
YML
dr_tmux "timeout --foreground 60 $drove play '$FX_DIR/play.yml'"
dr_tmux_wait "$question"
dr_tmux_keys n Enter
dr_tmux_end
fx_assert_eq 3 "$FX_RC" "none in play ends (not 124, the timeout)"

# 3. One Ctrl-C at the question: cancelled, a summary, 130, and the record
# holds every host.
fx_known_hosts s3 >"$kh"
dr_tmux "$drove run 'a0[1-3],k1' 'echo ran'"
dr_tmux_wait "$question"
dr_tmux_keys C-c
dr_tmux_end
fx_assert_eq 130 "$FX_RC" "one Ctrl-C at the question"
fx_assert_no_match "^${question}.*${question}" "$FX_OUT" "not asked again"
fx_assert_eq 1 "$(printf '%s\n' "$FX_OUT" | grep -c 'Accept and add')" \
    "asked once"
fx_assert_match '^cancelled \(3\): a\[01-03\]: interrupted at the host key question$' "$FX_OUT" "the summary"
dr history --limit 1
fx_assert_match ' cancelled +0/4 ok ' "$FX_OUT" "four hosts recorded"

# 5. Ten hosts share one key past the startup limit of 8: counted and shown
# as they are, in the question and its review.
: >"$kh"
dr_tmux "$drove run 'a[01-10]' 'echo ran'"
dr_tmux_wait "$question"
dr_tmux_keys r Enter
dr_tmux_wait 'Accept this key for the hosts above\? \[y/n\]:'
dr_tmux_keys y Enter
dr_tmux_end
fx_assert_eq 0 "$FX_RC" "review, yes"
fx_assert_match "^drove: 10 hosts presented a key that $kh does not hold:" \
    "$FX_OUT"
fx_assert_match "^  a\[01-10\] \(127.0.0.1 port $FX_PORT_s1\)" "$FX_OUT"
fx_assert_match '^\[1/1\] a\[01-10\] ssh-ed25519 SHA256:' "$FX_OUT"
fx_assert_eq 1 "$(printf '%s\n' "$FX_OUT" | grep -c 'Accept and add')" \
    "asked once"
fx_assert_eq 10 "$(printf '%s\n' "$FX_OUT" | grep -c '^a[01][0-9]: ran$')"

# 4. drove shell asks before the terminal goes raw: lines start at the
# left, the answer echoes, Enter ends it.
: >"$kh"
dr_tmux "$drove shell --no-record a01"
dr_tmux_wait "$question"
dr_tmux_keys a Enter
dr_tmux_wait '^\$$'
dr_tmux_keys 'echo he''llo; exit 7' Enter
dr_tmux_end
fx_assert_eq 7 "$FX_RC" "the shell ran"
fx_assert_match "^${question} a$" "$FX_OUT" "the answer echoes"
fx_assert_match "^  a01 \(127.0.0.1 port $FX_PORT_s1\)$" "$FX_OUT" \
    "no staircase"
fx_assert_match '^hello' "$FX_OUT"
# One Ctrl-C at drove shell's question leaves (255: no session).
: >"$kh"
dr_tmux "$drove shell --no-record a01"
dr_tmux_wait "$question"
dr_tmux_keys C-c
dr_tmux_end
fx_assert_eq 255 "$FX_RC" "Ctrl-C at the shell's question"
exit 0
