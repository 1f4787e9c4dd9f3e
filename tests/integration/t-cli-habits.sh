#!/bin/sh
# t-cli-habits.sh: what a new user types first: a mistyped command or long
# option gets the closest name; "drove help", "drove help run" and "drove
# run -h" print help; the README's prefix example is not ambiguous; -g is
# gather, a bare -b is an error naming -g/--gather and -B/--become; a
# playbook task saying shell: or command: is told about run:.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

# Commands: the closest name (a swap of two letters is one edit).
dr rnu all true
fx_assert_eq 2 "$FX_RC" "unknown command"
fx_assert_eq "drove: unknown command: rnu; did you mean 'run'?" "$FX_ERR"
dr hsitory
fx_assert_eq "drove: unknown command: hsitory; did you mean 'history'?" \
    "$FX_ERR"
dr frobnicate
fx_assert_eq "drove: unknown command: frobnicate" "$FX_ERR" \
    "nothing close: no suggestion"

# Long options, common and a command's own.
dr run --timout 3 all true
fx_assert_eq 2 "$FX_RC"
fx_assert_match "^drove run: unknown option '--timout'; did you mean '--timeout'\?$" \
    "$FX_ERR"
fx_assert_match '^usage: drove run ' "$FX_ERR"
dr run --gahter all true
fx_assert_match "^drove run: unknown option '--gahter'; did you mean '--gather'\?$" \
    "$FX_ERR"
dr push --chekcsum all a b
fx_assert_match "^drove push: unknown option '--chekcsum'; did you mean '--checksum'\?$" \
    "$FX_ERR"
dr run --zzzzzzzz all true
fx_assert_match "^drove run: unknown option '--zzzzzzzz'$" "$FX_ERR"
dr run -Z all true
fx_assert_match "^drove run: unknown option '-Z'$" "$FX_ERR"
dr run --timeout
fx_assert_match "^drove run: option '--timeout' needs a value$" "$FX_ERR"

# help, help COMMAND, COMMAND -h; -h after the command's words is theirs.
dr help
fx_assert_eq 0 "$FX_RC" "drove help"
fx_assert_match '^usage: drove ' "$FX_OUT"
fx_assert_match '^  run +run a command' "$FX_OUT"
dr help run
fx_assert_eq 0 "$FX_RC" "drove help run"
fx_assert_match '^usage: drove run ' "$FX_OUT"
fx_assert_match -- '--timeout SEC' "$FX_OUT"
help_run=$FX_OUT
dr run -h
fx_assert_eq 0 "$FX_RC" "drove run -h"
fx_assert_eq "$help_run" "$FX_OUT" "run -h is run --help"
dr push -h
fx_assert_match '^usage: drove push ' "$FX_OUT"
dr help rnu
fx_assert_eq 2 "$FX_RC"
fx_assert_eq "drove: unknown command: rnu; did you mean 'run'?" "$FX_ERR"
dr --no-history -H 127.0.0.1:1 run --retries 0 127.0.0.1 ls -h
fx_assert_eq 3 "$FX_RC" "-h in the command is the command's"

# The README's prefix example runs one command.
ex=$(grep -A1 'a unique prefix of a command name works' README.md |
    grep -o '`drove [a-z]* \.\.\.`' | head -1 | sed 's/`drove //; s/ .*//')
[ -n "$ex" ] || fx_fail "no prefix example in the README"
dr "$ex" --help
fx_assert_eq 0 "$FX_RC" "the README's prefix '$ex' is unique"

# -g gathers; a bare -b names both meanings.
fx_sshd s1
dr_inventory s1 3
dr -i "$FX_DIR/inv.yml" run -g all 'echo same'
fx_assert_eq 0 "$FX_RC"
fx_assert_match '^h\[0001-0003\]' "$FX_OUT" "-g gathers"
dr -i "$FX_DIR/inv.yml" -b run all 'echo same'
fx_assert_eq 2 "$FX_RC" "-b before the command"
fx_assert_match '^drove run: -b is ambiguous: use -g/--gather \(clush -b\) or -B/--become \(ansible -b\)$' \
    "$FX_ERR"
dr -i "$FX_DIR/inv.yml" run -b all 'echo same'
fx_assert_eq 2 "$FX_RC" "-b after the command"
fx_assert_match '^drove run: -b is ambiguous' "$FX_ERR"

# A playbook task with shell: or command: is pointed at run:.
for k in shell command; do
	printf -- '- hosts: all\n  tasks:\n    - name: x\n      %s: id\n' \
	    "$k" >"$FX_DIR/p.yml"
	dr -i "$FX_DIR/inv.yml" play "$FX_DIR/p.yml"
	fx_assert_eq 2 "$FX_RC"
	fx_assert_eq "drove play: $FX_DIR/p.yml:4:7: unknown key '$k' in task; drove runs commands with 'run:'" \
	    "$FX_ERR"
done
exit 0
