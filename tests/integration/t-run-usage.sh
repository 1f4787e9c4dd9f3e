#!/bin/sh
# t-run-usage.sh: command line handling: options before or after the command
# name, unique prefixes, ambiguous and unknown commands, bad values, ad-hoc
# -H hosts, and exit status 2 with nothing run on usage errors.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
dr_inventory s1 2

# Options before and after the command name mean the same.
dr -i "$FX_DIR/inv.yml" run all 'echo a'
before=$(printf '%s\n' "$FX_OUT" | sort)
fx_assert_eq "h0001: a
h0002: a" "$before"
fx_run "$DROVE" run --no-agent -i "$FX_DIR/inv.yml" all 'echo a'
fx_assert_eq "$before" "$(printf '%s\n' "$FX_OUT" | sort)" \
    "options after the command name"
fx_run "$DROVE" ru -i "$FX_DIR/inv.yml" --no-agent all 'echo' 'a'
fx_assert_eq "$before" "$(printf '%s\n' "$FX_OUT" | sort)" \
    "a unique prefix, words joined"
# Command words that look like options belong to the command.
dr -i "$FX_DIR/inv.yml" run h0001 ls -d /
fx_assert_eq "0 h0001: /" "$FX_RC $FX_OUT" "options after the command"
dr -i "$FX_DIR/inv.yml" run h0001 -- echo -n x
fx_assert_eq "0 h0001: x" "$FX_RC $FX_OUT" "-- ends options"

# -H: user@host:port, several lists.
fx_run "$DROVE" --no-agent --key "$FX_KEY" \
    -H "$FX_USER@127.0.0.1:$FX_PORT_s1" run all 'id -un'
fx_assert_eq "0 127.0.0.1: $FX_USER" "$FX_RC $FX_OUT" "ad-hoc host"

# Usage errors: exit 2, a message naming the problem.
fx_run "$DROVE" r all true
fx_assert_eq 2 "$FX_RC" "an ambiguous prefix"
fx_assert_match '^drove: ambiguous command: r, could be: replay run$' "$FX_ERR"
fx_run "$DROVE" frobnicate
fx_assert_eq 2 "$FX_RC"
fx_assert_match 'unknown command: frobnicate' "$FX_ERR"
dr -i "$FX_DIR/inv.yml" run
fx_assert_eq 2 "$FX_RC"
fx_assert_match 'no host pattern' "$FX_ERR"
dr -i "$FX_DIR/inv.yml" run all
fx_assert_eq 2 "$FX_RC"
fx_assert_match 'no command to run' "$FX_ERR"
dr -i "$FX_DIR/inv.yml" -f many run all true
fx_assert_eq 2 "$FX_RC"
fx_assert_match "bad value for option -f: 'many'" "$FX_ERR"
dr -i "$FX_DIR/inv.yml" --host-key-check maybe run all true
fx_assert_eq 2 "$FX_RC"
fx_assert_match "host-key-check" "$FX_ERR"
dr -i "$FX_DIR/inv.yml" run nosuchgroup true
fx_assert_eq 2 "$FX_RC" "a pattern that matches nothing"
dr -i "$FX_DIR/missing.yml" run all true
fx_assert_eq 2 "$FX_RC" "a missing inventory"
fx_assert_match 'missing.yml' "$FX_ERR"
printf 'all:\n  hosts:\n    a: [1\n' >"$FX_DIR/bad.yml"
dr -i "$FX_DIR/bad.yml" run all true
fx_assert_eq 2 "$FX_RC" "a bad inventory"
fx_assert_match 'bad.yml:[0-9]+:[0-9]+' "$FX_ERR" "file:line:column"
fx_run "$DROVE" run --help
fx_assert_eq 0 "$FX_RC"
fx_assert_match '^usage: drove run' "$FX_OUT"
