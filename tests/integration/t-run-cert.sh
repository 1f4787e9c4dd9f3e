#!/bin/sh
# t-run-cert.sh: OpenSSH user certificates signed by a test CA, against an
# sshd that trusts the CA (TrustedUserCAKeys) and revokes one certificate
# (RevokedKeys): found as KEY-cert.pub beside a key, given with --cert,
# named by ssh_config's CertificateFile, and held by ssh-agent; a revoked
# and an expired certificate are refused.  What the libssh2 in use can sign
# decides the outcome: ECDSA certificates work with 1.10 and 1.11, ed25519
# ones from 1.11.1; where the library cannot, drove says why and fails
# the host at once.  And known_hosts @cert-authority lines, which drove
# cannot use, are named when a host's key is unknown.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

ca=$FX_DIR/ca
ssh-keygen -q -t ed25519 -N '' -C drove-test-ca -f "$ca" </dev/null ||
    fx_fail "ssh-keygen for the CA"
# Keys the server's authorized_keys does not hold: only a certificate lets
# them in.  sign NAME TYPE VALIDITY [CERTFILE]
serial=0
sign()
{
	serial=$((serial + 1))
	ssh-keygen -q -t "$2" -N '' -C "cert-$1" -f "$FX_DIR/$1" </dev/null ||
	    fx_fail "ssh-keygen $1"
	ssh-keygen -q -s "$ca" -I "drove-test-$1" -n "$FX_USER" -V "$3" \
	    -z $serial "$FX_DIR/$1.pub" 2>/dev/null ||
	    fx_fail "ssh-keygen -s for $1"
	if [ -n "${4:-}" ]; then
		mv "$FX_DIR/$1-cert.pub" "$4"
	fi
}
sign ued ed25519 -5m:+1h
sign uec ecdsa -5m:+1h
sign urev ecdsa -5m:+1h
sign uold ecdsa 20200101:20200102
sign uopt ecdsa -5m:+1h "$FX_DIR/elsewhere.pub"
sign ucfg ecdsa -5m:+1h "$FX_DIR/fromconfig.pub"
ssh-keygen -q -k -f "$FX_DIR/krl" "$FX_DIR/urev-cert.pub" ||
    fx_fail "ssh-keygen -k"
fx_sshd s1 TrustedUserCAKeys="$ca.pub" RevokedKeys="$FX_DIR/krl"
fx_known_hosts s1 >"$HOME/.ssh/known_hosts"
printf 'all:\n  vars: { ansible_user: %s, ansible_host: 127.0.0.1 }\n  hosts:\n    h1: { ansible_port: %s }\n' \
    "$FX_USER" "$FX_PORT_s1" >"$FX_DIR/inv.yml"
if dr_libssh2 1.11.1; then
	ed=1
else
	ed=0
fi
fx_run "$DROVE" --version
if [ $ed = 1 ]; then
	fx_assert_match "user certificates: .*ed25519" "$FX_OUT"
else
	fx_assert_match "user certificates: ecdsa \(rsa needs libssh2 >= 1\.11\.0, ed25519 >= 1\.11\.1\)" \
	    "$FX_OUT"
fi
fx_assert_match "host certificates: no" "$FX_OUT"

# Without its certificate the key is refused: the certificate is what
# lets it in.
cp "$FX_DIR/uec" "$FX_DIR/bare"
dr -i "$FX_DIR/inv.yml" --key "$FX_DIR/bare" run all true
fx_assert_eq 3 "$FX_RC" "the key alone is refused"

# KEY-cert.pub beside the key, as ssh finds it.
dr -i "$FX_DIR/inv.yml" --key "$FX_DIR/uec" run all 'echo ecdsa-cert'
fx_assert_eq "0 h1: ecdsa-cert" "$FX_RC $FX_OUT" "an ECDSA certificate"
fx_assert_match 'Accepted certificate ID "drove-test-uec"' \
    "$(cat "$FX_LOG_s1")" "sshd accepted the certificate"

dr -i "$FX_DIR/inv.yml" --key "$FX_DIR/ued" run all 'echo ed-cert'
if [ $ed = 1 ]; then
	fx_assert_eq "0 h1: ed-cert" "$FX_RC $FX_OUT" "an ed25519 certificate"
else
	fx_assert_eq 3 "$FX_RC" "an ed25519 certificate with libssh2 1.10"
	dr_summary auth h1 ".*certificate $FX_DIR/ued-cert.pub not used: libssh2 1\.10\.[0-9]* cannot sign with ssh-ed25519-cert-v01@openssh.com.*1\.11\.1"
fi

# --cert FILE, for a certificate kept elsewhere.
dr -i "$FX_DIR/inv.yml" --key "$FX_DIR/uopt" run all true
fx_assert_eq 3 "$FX_RC" "no certificate beside uopt"
dr -i "$FX_DIR/inv.yml" --key "$FX_DIR/uopt" --cert "$FX_DIR/elsewhere.pub" \
    run all 'echo opt-cert'
fx_assert_eq "0 h1: opt-cert" "$FX_RC $FX_OUT" "--cert"
dr -i "$FX_DIR/inv.yml" --key "$FX_DIR/uopt" --cert "$FX_DIR/missing.pub" \
    run all true
fx_assert_eq 2 "$FX_RC" "a missing --cert is a usage error"
fx_assert_match "missing\.pub" "$FX_ERR"
dr -i "$FX_DIR/inv.yml" --key "$FX_DIR/uopt" --cert "$FX_DIR/uec-cert.pub" \
    run all true
fx_assert_eq 2 "$FX_RC" "a certificate of another key is a usage error"
fx_assert_match "certificate $FX_DIR/uec-cert.pub: its key matches no key file" \
    "$FX_ERR"

# ssh_config (looked up by the address ssh is given): IdentityFile and
# CertificateFile.
cat >"$FX_DIR/ssh_config" <<EOF
Host 127.0.0.1
	IdentityFile $FX_DIR/ucfg
	CertificateFile $FX_DIR/fromconfig.pub
EOF
dr -F "$FX_DIR/ssh_config" -i "$FX_DIR/inv.yml" run all 'echo cfg-cert'
fx_assert_eq "0 h1: cfg-cert" "$FX_RC $FX_OUT" "CertificateFile"

# A revoked and an expired certificate are refused by the server.
dr -i "$FX_DIR/inv.yml" --key "$FX_DIR/urev" run all true
fx_assert_eq 3 "$FX_RC" "a revoked certificate"
dr_summary auth h1 "authentication as $FX_USER to 127.0.0.1 failed"
fx_assert_match 'is revoked|revoked' "$(cat "$FX_LOG_s1")" \
    "sshd refused it as revoked"
dr -i "$FX_DIR/inv.yml" --key "$FX_DIR/uold" run all true
fx_assert_eq 3 "$FX_RC" "an expired certificate"
dr_summary auth h1 ".*certificate $FX_DIR/uold-cert.pub expired on 2020-01-02"

# ssh-agent holding keys and their certificates (ssh-add adds KEY-cert.pub
# with KEY).
dr_agent "$FX_DIR/uec"
fx_run env SSH_AUTH_SOCK="$FX_DIR/agent.sock" "$DROVE" -i "$FX_DIR/inv.yml" \
    run all 'echo agent-cert'
fx_assert_eq "0 h1: agent-cert" "$FX_RC $FX_OUT" "an ECDSA certificate in the agent"
SSH_AUTH_SOCK=$FX_DIR/agent.sock ssh-add -q -D 2>/dev/null
SSH_AUTH_SOCK=$FX_DIR/agent.sock ssh-add -q "$FX_DIR/ued" 2>/dev/null ||
    fx_fail "ssh-add"
fx_run env SSH_AUTH_SOCK="$FX_DIR/agent.sock" "$DROVE" -i "$FX_DIR/inv.yml" \
    run all 'echo agent-ed'
if [ $ed = 1 ]; then
	fx_assert_eq "0 h1: agent-ed" "$FX_RC $FX_OUT" "an ed25519 certificate in the agent"
else
	fx_assert_eq 3 "$FX_RC" "an ed25519 agent certificate with libssh2 1.10"
	dr_summary auth h1 ".*certificate cert-ued not used: libssh2 1\.10"
fi

# known_hosts trusting only a CA: drove cannot see host certificates, and
# says so instead of a bare "unknown".
printf '@cert-authority [127.0.0.1]:* %s\n' "$(cut -d' ' -f1,2 "$ca.pub")" \
    >"$HOME/.ssh/known_hosts"
dr -i "$FX_DIR/inv.yml" --key "$FX_DIR/uec" --host-key-check strict \
    run all true
fx_assert_eq 3 "$FX_RC" "a host known only through a CA"
dr_summary hostkey h1 "host key for \[127.0.0.1\]:$FX_PORT_s1 is unknown: .*$HOME/.ssh/known_hosts:1 is an @cert-authority line for it, which drove does not use"
