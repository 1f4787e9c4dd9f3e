#!/bin/sh
# t-become.sh: drove run --become against OpenSSH and dropbear, with users
# of the test's own (tests/fixtures/become.sh): the password asked once on
# a real terminal (-K) for 50 hosts; a wrong password fails every host as
# such, sent once (sudo's own log counts the attempts); NOPASSWD runs
# without asking; a user not in sudoers, no password where sudo asks, and
# a prompt that never comes fail clearly; requiretty works (a pty asked for); su to another user;
# stdin reaches the command, not sudo; and the password appears in no
# output, JSON, -o file, history database or DROVE_DEBUG trace.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh
. tests/fixtures/become.sh

TERM=xterm-256color
export TERM
fx_sshd s1
fx_dropbear d1
fx_known_hosts s1 d1 >>"$HOME/.ssh/known_hosts"
DB=$FX_DIR/drove.db

for S in s1 d1; do
	fx_log "=== $S"
	# dropbear drops a sixth connection from one address short of auth
	XO=
	[ $S = s1 ] || XO="--max-startups 4"
	# One password for 50 hosts, asked once on a terminal.
	drb_inventory $S 50 "$DRB_P" >"$FX_DIR/inv.yml"
	dr_pty "$DROVE --no-agent --no-history $XO -i $FX_DIR/inv.yml -B -K run --color never \
all id -un" 'BECOME password: *$' "$DRB_PW_P"
	fx_assert_eq 0 "$FX_RC" "$S: -K exit status"
	fx_assert_eq 50 "$(printf '%s\n' "$FX_OUT" | grep -c ': root$')" \
	    "$S: 50 hosts as root"
	fx_assert_eq 1 "$(printf '%s\n' "$FX_OUT" | grep -c 'BECOME password')" \
	    "$S: asked once"
	fx_assert_no_match 'drove-become|drove-became' "$FX_OUT" \
	    "$S: no prompt or marker shown"
	fx_assert_eq "0 0" "$(drb_attempts)" "$S: no wrong attempt logged"

	# The wrong password: every host fails as such, each sent once.
	: >"$DRB_LOG"
	drb_inventory $S 50 "$DRB_P" 'become_password_env: DRB_PW' \
	    >"$FX_DIR/inv-env.yml"
	DRB_PW=not-$DRB_PW_P dr -i "$FX_DIR/inv-env.yml" --no-history $XO -B \
	    run all id -un
	fx_assert_eq 3 "$FX_RC" "$S: wrong password exit status"
	fx_assert_match \
	    '^auth \(50\): b\[0001-0050\]: become: incorrect password for sudo' \
	    "$FX_ERR" "$S: every host fails as a wrong password"
	# sudo logs when it ends, just after drove closed its channel
	_n=0
	while [ "$(drb_attempts)" != "50 0" ] && [ $_n -lt 500 ]; do
		_n=$((_n + 1))
		sleep 0.02
	done
	fx_assert_eq "50 0" "$(drb_attempts)" \
	    "$S: one wrong attempt per host, never two"

	# No password given where sudo asks: a clear failure, nothing sent.
	dr -i "$FX_DIR/inv.yml" --no-history $XO -B run b0001 id -un
	fx_assert_eq 3 "$FX_RC"
	dr_summary auth b0001 \
	    'become: sudo asks for a password and none was given' \
	    "$S: no password"

	# NOPASSWD: runs without asking (a password offered is not sent).
	drb_inventory $S 3 "$DRB_N" 'become_password_env: DRB_PW' \
	    >"$FX_DIR/inv-n.yml"
	: >"$DRB_LOG"
	DRB_PW=never-asked dr -i "$FX_DIR/inv-n.yml" --no-history $XO -B \
	    run all 'id -un; id -un >&2'
	fx_assert_eq 0 "$FX_RC" "$S: NOPASSWD"
	fx_assert_eq 3 "$(printf '%s\n' "$FX_OUT" | grep -c ': root$')"
	fx_assert_eq 3 "$(printf '%s\n' "$FX_ERR" | grep -c ': root$')" \
	    "$S: stderr as root"
	fx_assert_eq "0 0" "$(drb_attempts)" "$S: NOPASSWD, no attempt"

	# stdin goes to the command once it runs, not to sudo.
	printf 'line one\nline two\n' >"$FX_DIR/in.txt"
	fx_run sh -c 'exec "$@" <"$0"' "$FX_DIR/in.txt" \
	    env DRB_PW="$DRB_PW_P" "$DROVE" --no-agent --no-history $XO \
	    -i "$FX_DIR/inv-env.yml" -B run b0001 'id -un; cat'
	fx_assert_eq "0" "$FX_RC" "$S: stdin with a password"
	fx_assert_eq "b0001: root
b0001: line one
b0001: line two" "$FX_OUT" "$S: stdin reaches the command"

	# A user sudoers does not know.
	drb_inventory $S 1 "$DRB_X" 'become_password_env: DRB_PW' \
	    >"$FX_DIR/inv-x.yml"
	DRB_PW=$DRB_PW_X dr -i "$FX_DIR/inv-x.yml" --no-history $XO -B \
	    run all id -un
	fx_assert_eq 3 "$FX_RC"
	dr_summary auth b0001 'become: .*is not in the sudoers file' \
	    "$S: not in sudoers"

	# requiretty: sudo refuses without a tty; drove asks for a pty.
	drb_inventory $S 2 "$DRB_T" 'become_password_env: DRB_PW' \
	    >"$FX_DIR/inv-t.yml"
	DRB_PW=$DRB_PW_T dr -i "$FX_DIR/inv-t.yml" --no-history $XO -B \
	    run all 'id -un; tty >/dev/null && echo on-a-tty'
	fx_assert_eq 0 "$FX_RC" "$S: requiretty"
	fx_assert_eq "b0001: on-a-tty
b0001: root
b0002: on-a-tty
b0002: root" "$(printf '%s\n' "$FX_OUT" | sort)" \
	    "$S: requiretty output, no CR"

	# su to another user, with that user's password.
	drb_inventory $S 2 "$DRB_P" 'become_password_env: DRB_PW' \
	    "ansible_become_method: su" "ansible_become_user: $DRB_N" \
	    >"$FX_DIR/inv-su.yml"
	DRB_PW=$DRB_PW_N dr -i "$FX_DIR/inv-su.yml" --no-history $XO -B \
	    run all id -un
	fx_assert_eq 0 "$FX_RC" "$S: su"
	fx_assert_eq 2 "$(printf '%s\n' "$FX_OUT" | grep -c ": $DRB_N\$")" \
	    "$S: su runs as the user"
	DRB_PW=wrong dr -i "$FX_DIR/inv-su.yml" --no-history $XO -B \
	    run all id -un
	fx_assert_eq 3 "$FX_RC" "$S: su, wrong password"
	dr_summary auth 'b\[0001-0002\]' 'become: su: Authentication failure'

	# The same from the command line, become not in the inventory.
	DRB_PW=$DRB_PW_N dr -i "$FX_DIR/inv-env.yml" --no-history $XO -B \
	    --become-method su --become-user "$DRB_N" run b0001 id -un
	fx_assert_eq "0 b0001: $DRB_N" "$FX_RC $FX_OUT" "$S: --become-method su"
done

# A prompt that never comes (the server runs something else than sudo):
# the host ends within the connect timeout, as a timeout that says so.
fx_sshd s2 "ForceCommand=sleep 60"
fx_known_hosts s2 >>"$HOME/.ssh/known_hosts"
drb_inventory s2 2 "$DRB_P" 'become_password_env: DRB_PW' \
    >"$FX_DIR/inv-hang.yml"
DRB_PW=$DRB_PW_P dr -i "$FX_DIR/inv-hang.yml" --no-history \
    --connect-timeout 3 -B run all id -un
fx_assert_eq 1 "$FX_RC" "no prompt: exit status"
dr_summary timeout 'b\[0001-0002\]' \
    'become: sudo neither asked for a password nor started the command within 3 s$' \
    "no prompt"

# The password appears nowhere drove writes: output, JSON, -o files, the
# history database and a DROVE_DEBUG trace, for a good and a bad one.
drb_inventory s1 3 "$DRB_P" 'become_password_env: DRB_PW' \
    'ansible_become: true' >"$FX_DIR/inv-leak.yml"
for PW in "$DRB_PW_P" "$DRB_PW_P-wrong"; do
	DROVE_DEBUG=1 DRB_PW=$PW dr -i "$FX_DIR/inv-leak.yml" --db "$DB" \
	    --json -o "$FX_DIR/out" run all 'id -un; env; ps -ef'
	fx_assert_match '"host"' "$FX_OUT" "JSON written"
	fx_assert_match 'become' "$FX_ERR$FX_OUT" "traced"
	for f in "$DB" "$DB-wal" "$FX_DIR"/out/*; do
		[ -f "$f" ] || continue
		! grep -aqF "$DRB_PW_P" "$f" || fx_fail "password in $f"
	done
	printf '%s\n%s\n' "$FX_OUT" "$FX_ERR" | grep -qF "$DRB_PW_P" &&
	    fx_fail "password in drove's output or trace"
done
fx_assert_eq 3 "$(ls "$FX_DIR"/out/*.out | wc -l)" "-o files written"
sqlite3 "$DB" 'select count(*) from runs' >/dev/null ||
    fx_fail "no history written"
# ansible_become: true in the inventory is enough
DRB_PW=$DRB_PW_P dr -i "$FX_DIR/inv-leak.yml" --no-history run all id -un
fx_assert_eq "0 3" "$FX_RC $(printf '%s\n' "$FX_OUT" | grep -c ': root$')" \
    "ansible_become from the inventory"

# The configuration file sets the defaults; a bad method is named.
printf 'become = yes\nbecome_method = su\nbecome_user = %s\n' "$DRB_N" \
    >"$FX_DIR/config"
DROVE_CONFIG=$FX_DIR/config DRB_PW=$DRB_PW_N dr -i "$FX_DIR/inv-env.yml" \
    --no-history run b0001 id -un
fx_assert_eq "0 b0001: $DRB_N" "$FX_RC $FX_OUT" "become from the config file"
printf 'become_method = doas\n' >"$FX_DIR/config"
DROVE_CONFIG=$FX_DIR/config dr -i "$FX_DIR/inv-env.yml" run b0001 id
fx_assert_eq 2 "$FX_RC" "bad become_method"
fx_assert_match "config:1: bad value for become_method: 'doas' \(sudo or su\)" \
    "$FX_ERR"
dr -i "$FX_DIR/inv-env.yml" --become-method doas run b0001 id
fx_assert_eq 2 "$FX_RC" "bad --become-method"

# inventory import refuses a stored become password, as ansible_password.
printf 'all:\n  hosts:\n    h1: { ansible_become_pass: x }\n' >"$FX_DIR/pw.yml"
dr --db "$FX_DIR/import.db" inventory import "$FX_DIR/pw.yml"
fx_assert_eq 2 "$FX_RC" "import of a become password"
fx_assert_match "refusing to store the password \(ansible_become_password\) of host 'h1'" \
    "$FX_ERR"
fx_assert_match 'holding it with become_password_env, or give --store-secrets' \
    "$FX_ERR"
exit 0
