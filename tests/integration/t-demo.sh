#!/bin/sh
# t-demo.sh: contrib/demo.sh (make demo): the two runs, the fleet torn down
# by default; with --keep it stays up, the printed commands work against
# it, its history stays in the demo's own DROVE_HOME (never the user's),
# and the printed stop script stops its sshd and removes it all.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

unset DROVE_HOME DROVE_CONFIG XDG_CONFIG_HOME

# Default: both runs, then nothing is left.
fx_run sh contrib/demo.sh "$DROVE"
fx_assert_eq 0 "$FX_RC" "make demo"
fx_assert_eq 10 "$(printf '%s\n' "$FX_OUT" | grep -c '^web[01][0-9]: Linux')"
# -g folds identical outputs under one host list (a host whose login
# shell writes to stderr on this machine may stand apart from the rest)
fx_assert_match '^(db|web)\[[0-9,-]+\](,(db|web)\[[0-9,-]+\])? \(exit 0\)$' \
    "$FX_OUT" "gathered output"
dir=$(printf '%s\n' "$FX_OUT" | sed -n 's/.*removing \(.*\) (make demo KEEP=1.*/\1/p')
[ -n "$dir" ] && ! [ -e "$dir" ] || fx_fail "the demo dir '$dir' is left"

# --keep: it stays up, says what to try and how to stop it.
fx_run sh contrib/demo.sh --keep "$DROVE"
fx_assert_eq 0 "$FX_RC" "make demo KEEP=1"
home=$(printf '%s\n' "$FX_OUT" | sed -n 's/^ *export DROVE_HOME=//p')
stop=$(printf '%s\n' "$FX_OUT" | sed -n 's/^== Stop it with: sh //p')
[ -n "$home" ] && [ -n "$stop" ] || fx_fail "no DROVE_HOME or stop script"
for p in $(cat "$(dirname "$stop")/pids"); do
	fx_track "$p"
done
fx_assert_match "^ *$DROVE run web uptime$" "$FX_OUT"
DROVE_HOME=$home fx_run "$DROVE" run web uptime
fx_assert_eq 0 "$FX_RC" "the printed command works on the kept fleet"
fx_assert_eq 10 "$(printf '%s\n' "$FX_OUT" | grep -c '^web[01][0-9]: ')"
DROVE_HOME=$home fx_run "$DROVE" history
fx_assert_eq 4 "$(printf '%s\n' "$FX_OUT" | wc -l)" \
    "the demo's history: a header and three runs"
! [ -e "$HOME/.local/share/drove" ] ||
    fx_fail "the demo wrote into the user's store"
fx_run sh "$stop"
fx_assert_eq 0 "$FX_RC"
! [ -e "$home" ] || fx_fail "stop.sh left $home"
for p in $(cat "$FX_DIR/pids"); do
	n=0
	while [ -d "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status"; do
		n=$((n + 1))
		[ $n -lt 500 ] || fx_fail "the demo sshd $p runs on"
		sleep 0.01
	done
done
exit 0
