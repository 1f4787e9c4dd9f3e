#!/bin/sh
# t-run-failures.sh: each way a host can fail (unreachable, refused, connect
# timeout, host key, auth) gets its own status and message, in one run with
# healthy hosts that still succeed; exit status 3 wins over 1.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
fx_sshd other
fx_silent
closed=$(fx_closed_port)
fx_known_hosts s1 >>"$HOME/.ssh/known_hosts"
ssh-keygen -q -t ed25519 -N '' -f "$FX_DIR/stranger"

cat >"$FX_DIR/inv.yml" <<YML
all:
  vars:
    ansible_user: $FX_USER
    ansible_host: 127.0.0.1
    ansible_ssh_private_key_file: $FX_KEY
  hosts:
    good1: { ansible_port: $FX_PORT_s1 }
    noname: { ansible_host: no-such-host.invalid }
    refused: { ansible_port: $closed }
    silent: { ansible_port: $FX_SILENT_PORT }
    unknownkey: { ansible_port: $FX_PORT_other }
    badkey: { ansible_port: $FX_PORT_s1, ansible_ssh_private_key_file: $FX_DIR/stranger }
    failing: { ansible_port: $FX_PORT_s1 }
    good2: { ansible_port: $FX_PORT_s1 }
YML

dr -i "$FX_DIR/inv.yml" --connect-timeout 2 --json run all \
    'echo hi'
fx_assert_eq 3 "$FX_RC" "exit status 3 when hosts are unreachable"
js=$FX_OUT
st()
{
	printf '%s\n' "$js" | grep "\"host\":\"$1\"" |
	    sed 's/.*"status":"\([a-z]*\)".*/\1/'
}
fx_assert_eq ok "$(st good1)" good1
fx_assert_eq ok "$(st good2)" good2
fx_assert_eq unreachable "$(st noname)" noname
fx_assert_eq refused "$(st refused)" refused
fx_assert_eq timeout "$(st silent)" silent
fx_assert_eq hostkey "$(st unknownkey)" unknownkey
fx_assert_eq auth "$(st badkey)" badkey
fx_assert_match '"host":"noname".*"error":"resolve no-such-host.invalid: ' "$js"
fx_assert_match "\"host\":\"refused\".*connect to 127.0.0.1 port $closed: connection refused" "$js"
fx_assert_match '"host":"silent".*timed out after 2.000s during handshake' "$js"
fx_assert_match '"host":"unknownkey".*host key for .* is unknown.*SHA256:' "$js"
fx_assert_match "\"host\":\"badkey\".*authentication as $FX_USER to 127.0.0.1 failed" "$js"
fx_assert_eq "hi" "$(printf '%s\n' "$js" | grep '"host":"good2"' |
    sed 's/.*"stdout":"\([^"\\]*\)\\n".*/\1/')" "good2's output"

# The summary has one line per failure reason.
fx_assert_match '^8 hosts: 3 ok, 1 timeout, 1 unreachable, 1 refused, 1 hostkey, 1 auth$' "$FX_ERR"

# Only a failed command: exit 1.
dr -i "$FX_DIR/inv.yml" run 'good1,failing' 'exit 5'
fx_assert_eq 1 "$FX_RC" "exit status 1 when only commands failed"
