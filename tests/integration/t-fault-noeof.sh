#!/bin/sh
# t-fault-noeof.sh: a server that closes a channel without sending EOF
# first (paramiko, told its EOF was sent; RFC 4254 allows it, OpenSSH never
# does it) ends run and shell with the command's output and exit status,
# instead of leaving them waiting for an EOF that never comes.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_noeof ne
fx_known_hosts ne >"$HOME/.ssh/known_hosts"
fx_inventory_each root ne >"$FX_DIR/inv.yml"

dr -i "$FX_DIR/inv.yml" --json run ne 'echo out; echo err >&2; exit 3'
fx_assert_eq 1 "$FX_RC" "run: drove's exit status"
fx_assert_match '"host":"ne","status":"failed","exit":3,' "$FX_OUT" \
    "run: exit status"
fx_assert_match '"stdout":"out\\n","stderr":"err\\n"' "$FX_OUT" \
    "run: output"

fx_run timeout 60 "$DROVE" --no-agent -i "$FX_DIR/inv.yml" shell ne -- \
    'echo out; exit 4'
fx_assert_eq 4 "$FX_RC" "shell: the command's exit status"
fx_assert_eq out "$FX_OUT" "shell: output"
