#!/bin/sh
# t-run-sshconfig.sh: ~/.ssh/config (-F) settings reach the connection:
# HostName, Port, User, IdentityFile, UserKnownHostsFile,
# StrictHostKeyChecking, ConnectTimeout, IdentitiesOnly; the command line
# wins over them.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
fx_silent
fx_known_hosts s1 >"$FX_DIR/kh-alt"
: >"$FX_DIR/kh-empty"
ssh-keygen -q -t ed25519 -N '' -f "$FX_DIR/stranger"
cat >"$FX_DIR/config" <<CFG
Host alias
    HostName 127.0.0.1
    Port $FX_PORT_s1
    User $FX_USER
    IdentityFile $FX_KEY
    UserKnownHostsFile $FX_DIR/kh-alt
    StrictHostKeyChecking yes

Host newkey
    HostName 127.0.0.1
    Port $FX_PORT_s1
    User $FX_USER
    IdentityFile $FX_KEY
    UserKnownHostsFile $FX_DIR/kh-empty
    StrictHostKeyChecking accept-new

Host slow
    HostName 127.0.0.1
    Port $FX_SILENT_PORT
    ConnectTimeout 1

Host only
    HostName 127.0.0.1
    Port $FX_PORT_s1
    User $FX_USER
    IdentityFile $FX_DIR/stranger
    UserKnownHostsFile $FX_DIR/kh-alt
    IdentitiesOnly yes

Host notonly
    HostName 127.0.0.1
    Port $FX_PORT_s1
    User $FX_USER
    IdentityFile $FX_DIR/stranger
    UserKnownHostsFile $FX_DIR/kh-alt
CFG

# Everything about the host comes from ssh_config, its own known_hosts too.
dr -F "$FX_DIR/config" -H alias run all 'echo via-config'
fx_assert_eq "0 alias: via-config" "$FX_RC $FX_OUT" "ssh_config host"

# Its StrictHostKeyChecking accept-new adds to its own known_hosts file.
dr -F "$FX_DIR/config" -H newkey run all true
fx_assert_eq 0 "$FX_RC" "accept-new from ssh_config"
fx_assert_eq 1 "$(grep -c "^\[127.0.0.1\]:$FX_PORT_s1 ssh-ed25519" "$FX_DIR/kh-empty")" \
    "the key went to the host's UserKnownHostsFile"
# ... unless the command line says strict.
: >"$FX_DIR/kh-empty"
dr -F "$FX_DIR/config" -H newkey --host-key-check strict run all true
fx_assert_eq 3 "$FX_RC" "the command line wins"
dr_summary hostkey newkey '.*is unknown'
# The advice names the same ssh_config, and does the job.
advice=$(printf '%s\n' "$FX_ERR" | sed -n 's/.*then run: drove //p' |
    sed 's/ (or run again.*//')
fx_assert_match '^keyscan --append .*-F ' "$advice" "the advice keeps -F"
eval "dr $advice"
fx_assert_eq 0 "$FX_RC" "the advice runs"
dr -F "$FX_DIR/config" -H newkey --host-key-check strict run all true
fx_assert_eq 0 "$FX_RC" "the key is known after the advice"

# ConnectTimeout, and --connect-timeout over it.
dr -F "$FX_DIR/config" -H slow run all true
dr_summary timeout slow '.*timed out after 1.000s'
dr -F "$FX_DIR/config" -H slow --connect-timeout 2 run all true
dr_summary timeout slow '.*timed out after 2.000s'

# IdentitiesOnly: the agent's key is not offered.
dr_agent "$FX_KEY"
fx_run env SSH_AUTH_SOCK="$FX_DIR/agent.sock" "$DROVE" -F "$FX_DIR/config" \
    -H notonly run all 'echo agent'
fx_assert_eq "0 notonly: agent" "$FX_RC $FX_OUT" "the agent's key without IdentitiesOnly"
fx_run env SSH_AUTH_SOCK="$FX_DIR/agent.sock" "$DROVE" -F "$FX_DIR/config" \
    -H only run all true
fx_assert_eq 3 "$FX_RC" "IdentitiesOnly keeps the agent out"
dr_summary auth only '.*tried 0 agent keys, 1 key file'

# -p and -l win over ssh_config's Port and User.
dr -F "$FX_DIR/config" -H slow -p "$FX_PORT_s1" -l "$FX_USER" --key "$FX_KEY" \
    --known-hosts "$FX_DIR/kh-alt" run all 'echo port'
fx_assert_eq "0 slow: port" "$FX_RC $FX_OUT" "-p over ssh_config's Port"
