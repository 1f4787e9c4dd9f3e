#!/bin/sh
# t-run-output.sh: drove run's output modes (lines, gathered, JSON, out-dir),
# per-status results (ok, failed, signal, timeout) and exit statuses.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
dr_inventory s1 4

# Lines: "host: line", stderr lines on our stderr, partial last line kept.
dr -i "$FX_DIR/inv.yml" run all 'echo out1; echo err1 >&2; printf tail'
fx_assert_eq 0 "$FX_RC" "exit status when all succeed"
fx_assert_eq 8 "$(printf '%s\n' "$FX_OUT" | grep -c '^h000[1-4]: ')" \
    "two stdout lines per host"
fx_assert_match '^h0003: out1$' "$FX_OUT"
fx_assert_match '^h0003: tail$' "$FX_OUT" "a partial line printed at EOF"
fx_assert_match '^h0002: err1$' "$FX_ERR" "stderr lines go to stderr"
fx_assert_no_match 'err1' "$FX_OUT"
fx_assert_match '^4 hosts: 4 ok$' "$FX_ERR" "summary"

# A command that fails on the hosts of one group: exit 1, the summary
# names them folded.
dr -i "$FX_DIR/inv.yml" run all 'exit 3'
fx_assert_eq 1 "$FX_RC" "exit status when a command fails"
fx_assert_match '^failed \(4\): h\[0001-0004\]: exit 3$' "$FX_ERR" \
    "summary lists failures"

# Signal and timeout statuses.
dr -i "$FX_DIR/inv.yml" run h0001 'kill -9 $$'
fx_assert_eq 1 "$FX_RC" "exit status when killed"
dr_summary signal h0001 'killed by signal KILL$'
dr -i "$FX_DIR/inv.yml" --timeout 0.5 run h0002 'sleep 5'
fx_assert_eq 1 "$FX_RC" "exit status on command timeout"
dr_summary timeout h0002 'command timed out after 0.500s$'

# Gathered: identical outputs once, under folded host names.
dr -i "$FX_DIR/inv.yml" run -g all 'echo same'
fx_assert_eq 0 "$FX_RC"
fx_assert_match '^h\[0001-0004\] ' "$FX_OUT" "hosts folded into one header"
fx_assert_eq 1 "$(printf '%s\n' "$FX_OUT" | grep -c '^same$')" \
    "identical output printed once"

# JSON: one object per host with the documented fields.
dr -i "$FX_DIR/inv.yml" --json run 'h0001,h0002' 'printf "a\\tb\\001\\n"; exit 2'
fx_assert_eq 1 "$FX_RC"
fx_assert_eq 2 "$(printf '%s\n' "$FX_OUT" | grep -c '^{')" "two JSON lines"
fx_assert_match '"host":"h0001".*"status":"failed".*"exit":2' "$FX_OUT"
fx_assert_match '"stdout":"a\\tb\\u0001\\n"' "$FX_OUT" "escaped stdout"
fx_assert_match '"elapsed_ms":[0-9]+' "$FX_OUT"

# Out-dir: HOST.out, HOST.err, HOST.status, binary bytes intact.
dr -i "$FX_DIR/inv.yml" -o "$FX_DIR/out" run all \
    'head -c 300000 /dev/urandom > /tmp/drove-bin.$$; cat /tmp/drove-bin.$$;
     sha256sum < /tmp/drove-bin.$$ >&2; rm /tmp/drove-bin.$$'
fx_assert_eq 0 "$FX_RC"
for h in h0001 h0002 h0003 h0004; do
	want=$(cut -d' ' -f1 "$FX_DIR/out/$h.err")
	got=$(sha256sum <"$FX_DIR/out/$h.out" | cut -d' ' -f1)
	fx_assert_eq "$want" "$got" "$h binary output intact"
	fx_assert_match '^ok 0' "$(cat "$FX_DIR/out/$h.status")"
done
