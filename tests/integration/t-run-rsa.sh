#!/bin/sh
# t-run-rsa.sh: RSA user keys (from a file and from a real ssh-agent) and
# an sshd with only an RSA host key, against OpenSSH, with the outcome the
# libssh2 in use decides: from 1.11 they work, signed with rsa-sha2-512
# and the RSA host key checked against known_hosts; with 1.10 every case
# ends at once with a message naming the reason and the remedy.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
fx_sshd rsaonly hostkeys=rsa
fx_sshd other hostkeys=rsa
fx_known_hosts s1 >"$HOME/.ssh/known_hosts"
if dr_libssh2 1.11.0; then
	new=1
else
	new=0
fi
fx_run "$DROVE" --version
fx_assert_match "^libssh2 [0-9]" "$FX_OUT" "drove --version names libssh2"
if [ $new = 1 ]; then
	fx_assert_match "rsa-sha2: yes" "$FX_OUT" "--version: rsa-sha2"
else
	fx_assert_match "rsa-sha2: no" "$FX_OUT" "--version: no rsa-sha2"
fi
printf 'all:\n  vars: { ansible_user: %s, ansible_host: 127.0.0.1 }\n  hosts:\n    h1: { ansible_port: %s }\n' \
    "$FX_USER" "$FX_PORT_s1" >"$FX_DIR/inv.yml"

# An RSA key file.
dr -i "$FX_DIR/inv.yml" --key "$FX_KEY_RSA" run all 'echo rsa'
if [ $new = 1 ]; then
	fx_assert_eq "0 h1: rsa" "$FX_RC $FX_OUT" "an RSA key file"
	fx_assert_match 'Accepted publickey for .* RSA SHA256:' \
	    "$(cat "$FX_LOG_s1")" "sshd accepted the RSA key"
	fx_assert_match 'userauth_pubkey: .*pkalg rsa-sha2-512' \
	    "$(cat "$FX_LOG_s1")" "signed with rsa-sha2-512"
	fx_assert_no_match 'pkalg ssh-rsa ' "$(cat "$FX_LOG_s1")" \
	    "never signed with ssh-rsa"
else
	fx_assert_eq 3 "$FX_RC" "an RSA key fails with libssh2 1.10"
	dr_summary auth h1 \
	    '.*an RSA key was refused: libssh2 1\.10.*(SHA-1).*ed25519 key.*libssh2 >= 1.11'
fi

# A key the server does not know: the 1.10 reason is never given on 1.11.
ssh-keygen -q -t rsa -b 2048 -N '' -f "$FX_DIR/stranger" </dev/null
dr -i "$FX_DIR/inv.yml" --key "$FX_DIR/stranger" run all true
fx_assert_eq 3 "$FX_RC" "an unknown RSA key fails"
if [ $new = 1 ]; then
	fx_assert_no_match 'SHA-1|libssh2 >= 1.11' "$FX_ERR" \
	    "no 1.10 advice on 1.11"
	dr_summary auth h1 \
	    'authentication as drovetest to 127.0.0.1 failed: tried 0 agent keys, 1 key file'
else
	fx_assert_match 'an RSA key was refused' "$FX_ERR"
fi

# The same key from ssh-agent: the agent is asked for an rsa-sha2-512
# signature.
dr_agent "$FX_KEY_RSA"
: >"$FX_LOG_s1"
fx_run env SSH_AUTH_SOCK="$FX_DIR/agent.sock" "$DROVE" -i "$FX_DIR/inv.yml" \
    run all 'echo agent-rsa'
if [ $new = 1 ]; then
	fx_assert_eq "0 h1: agent-rsa" "$FX_RC $FX_OUT" "an RSA key in the agent"
	fx_assert_match 'userauth_pubkey: .*pkalg rsa-sha2-512' \
	    "$(cat "$FX_LOG_s1")" "the agent signed with rsa-sha2-512"
else
	fx_assert_eq 3 "$FX_RC" "an RSA agent key fails with libssh2 1.10"
	dr_summary auth h1 '.*tried 1 agent key.*an RSA key was refused'
fi

# A server with only an RSA host key, checked against known_hosts.
printf 'all:\n  vars: { ansible_user: %s, ansible_host: 127.0.0.1 }\n  hosts:\n    r1: { ansible_port: %s }\n' \
    "$FX_USER" "$FX_PORT_rsaonly" >"$FX_DIR/inv-r.yml"
fx_known_hosts rsaonly >>"$HOME/.ssh/known_hosts"
dr -i "$FX_DIR/inv-r.yml" --key "$FX_KEY" run all 'echo rsa-host'
if [ $new = 1 ]; then
	fx_assert_eq "0 r1: rsa-host" "$FX_RC $FX_OUT" "an RSA-only server"
else
	fx_assert_eq 3 "$FX_RC" "an RSA-only server fails with libssh2 1.10"
	dr_summary error r1 \
	    'key exchange .* only an RSA host key.*libssh2 >= 1.11'
fi

# The wrong RSA key recorded for it (another server's) is a changed key;
# an unknown one fails under strict with its fingerprint.
fx_known_hosts s1 >"$HOME/.ssh/known_hosts"
fx_known_hosts other | sed "s/:$FX_PORT_other /:$FX_PORT_rsaonly /" \
    >>"$HOME/.ssh/known_hosts"
dr -i "$FX_DIR/inv-r.yml" --key "$FX_KEY" run all true
fx_assert_eq 3 "$FX_RC" "a changed RSA host key fails"
if [ $new = 1 ]; then
	dr_summary hostkey r1 'host key for .* has changed: ssh-rsa'
fi
fx_known_hosts s1 >"$HOME/.ssh/known_hosts"
dr -i "$FX_DIR/inv-r.yml" --key "$FX_KEY" --host-key-check strict run all true
fx_assert_eq 3 "$FX_RC" "an unknown RSA host key fails under strict"
if [ $new = 1 ]; then
	fp=$(ssh-keygen -l -E sha256 -f "$FX_DIR/rsaonly/hostkey_rsa.pub" |
	    cut -d' ' -f2)
	case $FX_ERR in
	*"hostkey (1): r1: host key for [127.0.0.1]:$FX_PORT_rsaonly is unknown: ssh-rsa $fp"*) ;;
	*) fx_fail "the unknown RSA key's fingerprint $fp" ;;
	esac
fi
