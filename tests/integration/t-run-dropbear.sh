#!/bin/sh
# t-run-dropbear.sh: drove run against dropbear: keys, password, exit codes,
# stderr and a host key check, beside OpenSSH in the same run.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

dr_two_servers
dr -i "$FX_DIR/inv.yml" run all 'echo out; echo err >&2; exit 4'
fx_assert_eq 1 "$FX_RC"
fx_assert_match '^dropbear: out$' "$FX_OUT"
fx_assert_match '^openssh:  out$' "$FX_OUT" "names padded to one width"
fx_assert_match '^dropbear: err$' "$FX_ERR"
fx_assert_match '^openssh:  err$' "$FX_ERR" "on stderr too"
dr_summary failed dropbear,openssh 'exit 4$'

printf 'all:\n  hosts:\n    db1: { ansible_host: 127.0.0.1, ansible_port: %s, ansible_user: %s, password_env: PW }\n' \
    "$FX_PORT_d1" "$FX_USER" >"$FX_DIR/inv-pw.yml"
fx_run env PW="$FX_PASSWORD" "$DROVE" --no-agent -i "$FX_DIR/inv-pw.yml" \
    run all 'head -c 1000000 /dev/zero | wc -c'
fx_assert_eq "0 db1: 1000000" "$FX_RC $FX_OUT" "dropbear with a password"
