#!/bin/sh
# t-run-pace.sh: connection pacing against an sshd with a low MaxStartups (a
# burst without pacing is throttled and its hosts tried again; paced, none
# is), --fail-fast and --fail-fast=cancel, and several loop threads
# (--loops) with one output.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

# sshd refuses every unauthenticated connection beyond 3.
fx_sshd tight maxstartups=3
dr_inventory tight 30

# Unpaced, the burst trips MaxStartups: sshd closes most connections before
# its banner, a busy server, so those hosts are tried again after a backoff
# (even with --retries 0) and every host gets in, after retries.
dr -i "$FX_DIR/inv.yml" --connect-rate 0 --max-startups 0 --retries 0 \
    --json run all true
fx_assert_eq 0 "$FX_RC" "an unpaced burst gets in past MaxStartups"
retried=$(printf '%s\n' "$FX_OUT" | grep -c '"retries":[1-9]')
echo "tried again without pacing: $retried"
[ "$retried" -gt 0 ] || fx_fail "no host was throttled without pacing"

# Paced: one connection short of authentication at a time, ten a second
# (sshd learns of a finished authentication a moment after the client).
dr -i "$FX_DIR/inv.yml" --connect-rate 10/s --max-startups 1 --retries 0 \
    --json run all true
fx_assert_eq 0 "$FX_RC" "paced: every host gets in"
fx_assert_eq 30 "$(printf '%s\n' "$FX_OUT" | grep -c '"status":"ok"')"
fx_assert_eq 0 "$(printf '%s\n' "$FX_OUT" | grep -c '"retries":[1-9]')" \
    "paced: no host tried twice"

# --fail-fast: the first failure stops new hosts from starting.
fx_sshd s1
fx_sshd s2
fx_known_hosts s1 s2 >>"$HOME/.ssh/known_hosts"
closed=$(fx_closed_port)
cat >"$FX_DIR/ff.yml" <<YML
all:
  vars: { ansible_user: $FX_USER, ansible_host: 127.0.0.1, key: $FX_KEY }
  hosts:
    bad: { ansible_port: $closed }
    a1: { ansible_port: $FX_PORT_s1 }
    a2: { ansible_port: $FX_PORT_s1 }
    a3: { ansible_port: $FX_PORT_s1 }
YML
dr -i "$FX_DIR/ff.yml" -f 1 --retries 0 --fail-fast run all true
fx_assert_eq 3 "$FX_RC"
dr_summary refused bad ''
fx_assert_match '^cancelled \(3\): a\[1-3\]: not started: --fail-fast after bad failed$' "$FX_ERR"
dr -i "$FX_DIR/ff.yml" -f 1 --retries 0 run all true
fx_assert_match '^4 hosts: 3 ok, 1 refused$' "$FX_ERR" "without --fail-fast all run"

# --fail-fast=cancel: running hosts are cancelled too.
cat >"$FX_DIR/ffc.yml" <<YML
all:
  vars: { ansible_user: $FX_USER, ansible_host: 127.0.0.1, key: $FX_KEY }
  hosts:
    a1: { ansible_port: $FX_PORT_s1 }
    a2: { ansible_port: $FX_PORT_s1 }
    b1: { ansible_port: $FX_PORT_s2 }
YML
dr -i "$FX_DIR/ffc.yml" --fail-fast=cancel run all \
    "case \"\$SSH_CONNECTION\" in *\" $FX_PORT_s2\") exit 9;; esac; sleep 20"
fx_assert_eq 1 "$FX_RC" "the failure decides the exit status"
dr_summary failed b1 'exit 9$'
fx_assert_match '^cancelled \(2\): a\[1-2\]: --fail-fast after b1 failed$' "$FX_ERR"
dr -i "$FX_DIR/ffc.yml" --fail-fast=later run all true
fx_assert_eq 2 "$FX_RC" "bad --fail-fast value"

# Two loop threads: every host once, one summary.  120 logins start at
# once, so they get a minute, not the default 10 s.
dr_inventory s1 120 n g1
dr -i "$FX_DIR/inv.yml" --loops 2 --connect-rate 0 --max-startups 0 \
    --connect-timeout 60 run all 'echo x'
fx_assert_eq 0 "$FX_RC" "two loops"
fx_assert_eq 120 "$(printf '%s\n' "$FX_OUT" | grep -c '^n0[0-9]*: x$')"
fx_assert_eq 120 "$(printf '%s\n' "$FX_OUT" | cut -d: -f1 | sort -u | wc -l)"
fx_assert_match '^120 hosts: 120 ok$' "$FX_ERR"
