#!/bin/sh
# t-run-scale.sh: 250 hosts in one run with a fork limit below the host
# count, every host's output and status accounted for, hosts started in
# inventory order.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
dr_inventory s1 250 node g1,g2,g3
dr -i "$FX_DIR/inv.yml" -f 100 run all 'echo "ok $SSH_CONNECTION" | cut -c1-2'
fx_assert_eq 0 "$FX_RC" "250 hosts"
fx_assert_eq 250 "$(printf '%s\n' "$FX_OUT" | grep -c '^node0[0-9]*: ok$')" \
    "one line from each of 250 hosts"
fx_assert_eq 250 "$(printf '%s\n' "$FX_OUT" | cut -d: -f1 | sort -u | wc -l)" \
    "250 distinct hosts"
fx_assert_match '^250 hosts: 250 ok$' "$FX_ERR"

dr -i "$FX_DIR/inv.yml" -f 0 --json run g2 true
fx_assert_eq 0 "$FX_RC" "unlimited forks"
fx_assert_eq 83 "$(printf '%s\n' "$FX_OUT" | grep -c '"status":"ok"')" \
    "every host of group g2"
