#!/bin/sh
# t-run-auth.sh: every authentication method the fixture offers: ssh-agent
# (a real one), key files (ed25519, ECDSA), an encrypted key with its
# passphrase from the environment, a password from the variable that
# password_env names; and the plain-spoken failures of RSA keys and RSA-only
# servers with libssh2 1.10.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
fx_sshd rsaonly hostkeys=rsa
fx_known_hosts s1 rsaonly >"$HOME/.ssh/known_hosts"
inv()
{
	printf 'all:\n  vars: { ansible_user: %s, ansible_host: 127.0.0.1, ansible_port: %s }\n  hosts:\n    h1: {%s}\n' \
	    "$FX_USER" "$FX_PORT_s1" "$1" >"$FX_DIR/inv.yml"
}

# ssh-agent: a real agent holding the key; no key file given.
inv ''
dr_agent "$FX_KEY"
fx_run env SSH_AUTH_SOCK="$FX_DIR/agent.sock" "$DROVE" -i "$FX_DIR/inv.yml" \
    run all 'echo agent'
fx_assert_eq 0 "$FX_RC" "agent authentication"
fx_assert_match '^h1: agent$' "$FX_OUT"
dr -i "$FX_DIR/inv.yml" run all true
fx_assert_eq 3 "$FX_RC" "without the agent and keys, auth fails"
dr_summary auth h1 'authentication as drovetest to 127.0.0.1 failed'

# Key files, from --key and from the inventory.
dr -i "$FX_DIR/inv.yml" --key "$FX_KEY_ECDSA" run all 'echo ecdsa'
fx_assert_eq "0 h1: ecdsa" "$FX_RC $FX_OUT" "ECDSA key"
inv "key: $FX_KEY"
dr -i "$FX_DIR/inv.yml" run all 'echo ed'
fx_assert_eq "0 h1: ed" "$FX_RC $FX_OUT" "ed25519 key from the inventory"

# An encrypted key: the passphrase from DROVE_KEY_PASSPHRASE; wrong or
# missing passphrase stops before anything runs.
inv ''
fx_run env DROVE_KEY_PASSPHRASE="$FX_PASSPHRASE" "$DROVE" --no-agent \
    -i "$FX_DIR/inv.yml" --key "$FX_KEY_ENC" run all 'echo enc'
fx_assert_eq "0 h1: enc" "$FX_RC $FX_OUT" "encrypted key"
fx_run env DROVE_KEY_PASSPHRASE=wrong "$DROVE" --no-agent \
    -i "$FX_DIR/inv.yml" --key "$FX_KEY_ENC" run all 'echo enc'
fx_assert_eq 2 "$FX_RC" "a wrong passphrase is a usage error"
fx_assert_match "wrong passphrase for key $FX_KEY_ENC" "$FX_ERR"
dr -i "$FX_DIR/inv.yml" --key "$FX_DIR/missing-key" run all true
fx_assert_eq 2 "$FX_RC" "a missing --key is a usage error"
fx_assert_match "missing-key" "$FX_ERR"

# A password from the variable password_env names.
inv 'password_env: DROVE_TEST_PW'
fx_run env DROVE_TEST_PW="$FX_PASSWORD" "$DROVE" --no-agent \
    -i "$FX_DIR/inv.yml" run all 'echo pw'
fx_assert_eq "0 h1: pw" "$FX_RC $FX_OUT" "password authentication"
fx_run env DROVE_TEST_PW=wrong "$DROVE" --no-agent -i "$FX_DIR/inv.yml" \
    run all true
fx_assert_eq 3 "$FX_RC" "a wrong password fails"
dr_summary auth h1 '.*tried.*password'

# An RSA key is refused by OpenSSH 9 when libssh2 has no rsa-sha2 (before
# 1.11): say so.  With 1.11 it works.
if dr_libssh2 1.11.0; then
	old_libssh2=0
else
	old_libssh2=1
fi
inv ''
dr -i "$FX_DIR/inv.yml" --key "$FX_KEY_RSA" run all true
if [ $old_libssh2 = 1 ]; then
	fx_assert_eq 3 "$FX_RC" "an RSA key fails with libssh2 < 1.11"
	dr_summary auth h1 \
	    '.*an RSA key was refused.*ed25519 key.*libssh2 >= 1.11'
else
	fx_assert_eq 0 "$FX_RC" "an RSA key works with libssh2 >= 1.11"
fi

# An RSA-only server cannot be reached with libssh2 1.10: say so.
printf 'all:\n  hosts:\n    r1: { ansible_host: 127.0.0.1, ansible_port: %s, ansible_user: %s, key: %s }\n' \
    "$FX_PORT_rsaonly" "$FX_USER" "$FX_KEY" >"$FX_DIR/inv-rsa.yml"
dr -i "$FX_DIR/inv-rsa.yml" run all true
if [ $old_libssh2 = 1 ]; then
	fx_assert_eq 3 "$FX_RC" "an RSA-only server fails with libssh2 < 1.11"
	dr_summary error r1 \
	    'key exchange .* only an RSA host key.*libssh2 >= 1.11'
else
	fx_assert_eq 0 "$FX_RC" "an RSA-only server works with libssh2 >= 1.11"
fi

# --ask-pass prompts once on the terminal, without echo, for every host.
printf 'all:\n  vars: { ansible_user: %s, ansible_host: 127.0.0.1, ansible_port: %s }\n  hosts:\n    p1:\n    p2:\n' \
    "$FX_USER" "$FX_PORT_s1" >"$FX_DIR/inv-pw.yml"
dr_pty "TERM=dumb '$DROVE' --no-agent -i '$FX_DIR/inv-pw.yml' --ask-pass --color never run all 'echo asked'" \
    '^Password: ' "$FX_PASSWORD"
fx_assert_eq 0 "$FX_RC" "--ask-pass"
fx_assert_eq 2 "$(printf '%s\n' "$FX_OUT" | grep -c '^p[12]: asked$')" \
    "the password worked for both hosts"
fx_assert_eq 1 "$(printf '%s\n' "$FX_OUT" | grep -c 'Password:')" "one prompt"
fx_assert_no_match "$FX_PASSWORD" "$FX_OUT" "the password is not echoed"

# A play asks once for all its tasks (each a run of its own).
printf -- '- hosts: all\n  tasks:\n    - run: echo one\n    - run: echo two\n' \
    >"$FX_DIR/pw-play.yml"
dr_pty "TERM=dumb '$DROVE' --no-agent -i '$FX_DIR/inv-pw.yml' --ask-pass play '$FX_DIR/pw-play.yml'" \
    '^Password: ' "$FX_PASSWORD"
fx_assert_eq 0 "$FX_RC" "play --ask-pass"
fx_assert_eq 1 "$(printf '%s\n' "$FX_OUT" | grep -c 'Password:')" \
    "one prompt for the play"
fx_assert_match '^p[12]: ok=0 changed=2 unreachable=0 failed=0' "$FX_OUT" \
    "both tasks ran"

# An encrypted key without DROVE_KEY_PASSPHRASE: asked once on the terminal.
dr_pty "TERM=dumb '$DROVE' --no-agent -i '$FX_DIR/inv-pw.yml' --key '$FX_KEY_ENC' --color never run all 'echo key'" \
    'Enter passphrase for key' "$FX_PASSPHRASE"
fx_assert_eq 0 "$FX_RC" "passphrase asked on the terminal"
fx_assert_eq 2 "$(printf '%s\n' "$FX_OUT" | grep -c '^p[12]: key$')"
fx_assert_eq 1 "$(printf '%s\n' "$FX_OUT" | grep -c 'Enter passphrase')" \
    "one prompt for all hosts"
