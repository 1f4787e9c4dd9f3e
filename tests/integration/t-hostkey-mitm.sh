#!/bin/sh
# t-hostkey-mitm.sh: a host whose key differs from known_hosts, under host
# key checking off (--host-key-check off, or StrictHostKeyChecking no in
# ssh_config), is still reached, as OpenSSH does, but never gets the
# password: password and keyboard-interactive authentication are off for
# it, keys still work, and the warning and the failure say so.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
fx_sshd s2
# s2's keys recorded for s1: s1's key "has changed".
fx_known_hosts s2 | sed "s/:$FX_PORT_s2 /:$FX_PORT_s1 /" >"$FX_DIR/kh-changed"
fx_known_hosts s1 >"$FX_DIR/kh-good"
printf 'all:\n  hosts:\n    web1: { ansible_host: 127.0.0.1, ansible_port: %s, ansible_user: %s, password_env: DROVE_TEST_PW }\n' \
    "$FX_PORT_s1" "$FX_USER" >"$FX_DIR/inv.yml"
pw()
{
	fx_run env DROVE_TEST_PW="$FX_PASSWORD" "$DROVE" --no-agent "$@"
}

# held_back INV GOOD CHANGED LOG METHOD: the password works through INV
# against known_hosts GOOD (so the test can tell), and with CHANGED under
# --host-key-check off no METHOD request reaches the server (its LOG).
held_back()
{
	pw -i "$1" --known-hosts "$2" run all 'echo pw'
	fx_assert_eq "0 web1: pw" "$FX_RC $FX_OUT" "$5 authentication"
	_n=$(grep -c "method $5" "$4")
	pw -i "$1" --known-hosts "$3" --host-key-check off run all 'echo leaked'
	fx_assert_eq 3 "$FX_RC" "no $5 to a changed key"
	fx_assert_no_match 'leaked' "$FX_OUT"
	fx_assert_match 'web1: warning: host key for .* has changed.*password and keyboard-interactive authentication disabled' \
	    "$FX_ERR" "the warning says the password is held back"
	dr_summary auth web1 '.*password not sent: the host key has changed' \
	    "the failure says why"
	fx_assert_eq "$_n" "$(grep -c "method $5" "$4")" \
	    "sshd saw no $5 request"
	fx_assert_no_match "$FX_PASSWORD" "$FX_OUT$FX_ERR"
}

held_back "$FX_DIR/inv.yml" "$FX_DIR/kh-good" "$FX_DIR/kh-changed" \
    "$FX_LOG_s1" password
n_pw=$(grep -c 'method password' "$FX_LOG_s1")

# A key still gets in, with the warning.
dr -i "$FX_DIR/inv.yml" --known-hosts "$FX_DIR/kh-changed" \
    --host-key-check off --key "$FX_KEY" run all 'echo bykey'
fx_assert_eq "0 web1: bykey" "$FX_RC $FX_OUT" "keys still work"
fx_assert_match 'web1: warning: .*has changed' "$FX_ERR"

# The same from ssh_config's StrictHostKeyChecking no.
cat >"$FX_DIR/config" <<CFG
Host 127.0.0.1
    StrictHostKeyChecking no
    UserKnownHostsFile $FX_DIR/kh-changed
CFG
pw -i "$FX_DIR/inv.yml" -F "$FX_DIR/config" run all 'echo leaked'
fx_assert_eq 3 "$FX_RC" "no password under StrictHostKeyChecking no"
fx_assert_no_match 'leaked' "$FX_OUT"
fx_assert_match 'password and keyboard-interactive authentication disabled' \
    "$FX_ERR"
fx_assert_eq "$n_pw" "$(grep -c 'method password' "$FX_LOG_s1")" \
    "sshd saw no password attempt"

# An unknown key under off still gets the password (OpenSSH does too).
: >"$FX_DIR/kh-empty"
pw -i "$FX_DIR/inv.yml" --known-hosts "$FX_DIR/kh-empty" \
    --host-key-check off run all 'echo unknown'
fx_assert_eq "0 web1: unknown" "$FX_RC $FX_OUT" "unknown key: password used"

# Keyboard-interactive (PAM) is held back the same way.
fx_sshd s3 UsePAM=yes PasswordAuthentication=no
fx_known_hosts s2 | sed "s/:$FX_PORT_s2 /:$FX_PORT_s3 /" >"$FX_DIR/kh-changed3"
fx_known_hosts s3 >"$FX_DIR/kh-good3"
sed "s/$FX_PORT_s1/$FX_PORT_s3/" "$FX_DIR/inv.yml" >"$FX_DIR/inv3.yml"
held_back "$FX_DIR/inv3.yml" "$FX_DIR/kh-good3" "$FX_DIR/kh-changed3" \
    "$FX_LOG_s3" keyboard-interactive
