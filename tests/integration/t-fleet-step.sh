#!/bin/sh
# t-fleet-step.sh: a fleet driven from the caller's own poll() loop
# (drove_fleet_start/fd/timeout/step): contrib/examples/fleet-poll runs a
# command on three hosts while its own timer keeps firing, and
# tests/helpers/fleet-step checks the rules (misuse is DROVE_E_INVAL, a
# cancelled stepped run ends cancelled, the fleet runs again, freeing it
# mid-run ends the run); tests/helpers/fleet-threads runs four fleets in
# four threads at once, each host saying its own thread's line;
# contrib/examples/fleet-push pushes a file to two hosts, then finds it
# unchanged.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

EX=${O:-build}/examples/fleet-poll
[ -x "$EX" ] || fx_fail "no $EX (make $EX)"
fx_sshd_private s1
fx_sshd_private s2
fx_sshd s3
fx_known_hosts s1 s2 s3 >"$FX_DIR/kh"
H="$FX_USER@127.0.0.1:$FX_PORT_s1"

fx_run "$EX" "$FX_DIR/kh" "$FX_KEY" 'sleep 0.3; echo polled' "$FX_USER" \
    127.0.0.1 "$FX_PORT_s1" "$FX_PORT_s2" "$FX_PORT_s3"
fx_assert_eq 0 "$FX_RC" "the example ran"
fx_assert_eq 3 "$(printf '%s\n' "$FX_OUT" |
    grep -c '"status":"ok".*"stdout":"polled\\n"')" "three hosts ok"
ticks=$(printf '%s\n' "$FX_ERR" | sed -n 's/^own timer: \([0-9]*\) ticks$/\1/p')
[ "${ticks:-0}" -gt 0 ] || fx_fail "the caller's own timer did not fire: $FX_ERR"

fx_run "$FX_HELPERS/fleet-step" "$FX_DIR/kh" "$FX_KEY" "$H"
fx_assert_eq 0 "$FX_RC" "fleet-step: $FX_OUT"
fx_assert_eq "ok step-before-start
ok no-fd-before-start
ok exec
ok start
ok fd
ok start-twice
ok run-while-stepped
ok command-running
ok cancelled-run
ok host-cancelled
ok second-run
ok second-run-result
ok third-start
ok free-mid-run" "$FX_OUT"

fx_run "$FX_HELPERS/fleet-threads" "$FX_DIR/kh" "$FX_KEY" "$FX_USER" \
    127.0.0.1 "$FX_PORT_s1" 4 10
fx_assert_eq 0 "$FX_RC" "fleets in threads: $FX_OUT $FX_ERR"
fx_assert_eq "ok 4 fleets" "$FX_OUT"

PUSH=${O:-build}/examples/fleet-push
echo "pushed by the example" >"$FX_DIR/conf"
for want in changed unchanged; do
	fx_run "$PUSH" "$FX_DIR/kh" "$FX_KEY" "$FX_DIR/conf" "$FX_DATA/conf" \
	    "$FX_USER" 127.0.0.1 "$FX_PORT_s1" "$FX_PORT_s2"
	fx_assert_eq 0 "$FX_RC" "fleet-push: $FX_ERR"
	fx_assert_eq "127.0.0.1:$FX_PORT_s1: $want
127.0.0.1:$FX_PORT_s2: $want" "$FX_OUT"
done
for h in s1 s2; do
	fx_assert_eq "pushed by the example" "$(fx_in $h cat "$FX_DATA/conf")"
done
