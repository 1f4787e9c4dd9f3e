#!/bin/sh
# t-run-retry.sh: --retries: a connection reset before the banner is tried
# again after a backoff (and the result says so); with --retries 0 it fails;
# a failure after the banner (authentication) is never retried.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
flaky()
{
	: >"$FX_DIR/flaky.port"
	"$FX_HELPERS/tcp-flaky" "$1" "$FX_PORT_s1" >"$FX_DIR/flaky.port" &
	fx_track $!
	n=0
	while ! [ -s "$FX_DIR/flaky.port" ] && [ $n -lt 500 ]; do
		sleep 0.01
		n=$((n + 1))
	done
	port=$(cat "$FX_DIR/flaky.port")
	fx_known_hosts s1 | sed "s/:$FX_PORT_s1 /:$port /" \
	    >"$HOME/.ssh/known_hosts"
	printf 'all:\n  hosts:\n    f1: { ansible_host: 127.0.0.1, ansible_port: %s, ansible_user: %s, key: %s }\n' \
	    "$port" "$FX_USER" "$FX_KEY" >"$FX_DIR/inv.yml"
}

# One reset, one retry (the default): the host succeeds.
flaky 1
dr -i "$FX_DIR/inv.yml" --json run all 'echo through'
fx_assert_eq 0 "$FX_RC" "a reset first connection is retried"
fx_assert_match '"host":"f1","status":"ok".*"stdout":"through\\n".*"retries":1' "$FX_OUT"

# Two resets with --retries 2: still fine.
flaky 2
dr -i "$FX_DIR/inv.yml" --retries 2 run all 'echo again'
fx_assert_eq "0 f1: again" "$FX_RC $FX_OUT" "two retries"
fx_assert_match '^connected after a retry: f1$' "$FX_ERR" \
    "the summary names hosts that needed retries"

# --retries 0: the reset ends the host.
flaky 1
dr -i "$FX_DIR/inv.yml" --retries 0 run all true
fx_assert_eq 3 "$FX_RC" "no retry with --retries 0"
dr_summary unreachable f1 '(connect|connection) to 127.0.0.1 port [0-9]+'
fx_assert_no_match 'tries\)' "$FX_ERR" "one try: no count"

# Resets on every try: the failure says how many tries it took, and the
# host is not among those that connected after a retry.
flaky 5
dr -i "$FX_DIR/inv.yml" --retries 2 run all true
fx_assert_eq 3 "$FX_RC"
fx_assert_match '^unreachable \(1\): f1: .* \(after 3 tries\)$' "$FX_ERR"
fx_assert_no_match 'connected after' "$FX_ERR"

# An authentication failure is never retried, whatever --retries says.
ssh-keygen -q -t ed25519 -N '' -f "$FX_DIR/stranger"
flaky 0
sed -i "s|key: $FX_KEY|key: $FX_DIR/stranger|" "$FX_DIR/inv.yml"
dr -i "$FX_DIR/inv.yml" --retries 3 --json run all true
fx_assert_eq 3 "$FX_RC"
fx_assert_match '"status":"auth".*"retries":0' "$FX_OUT" "auth failures are not retried"
