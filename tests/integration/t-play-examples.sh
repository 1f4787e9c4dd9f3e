#!/bin/sh
# t-play-examples.sh: the example playbooks of playbooks/ run against three
# hosts with filesystems of their own, their directories moved under
# $FX_DATA with -e: deploy-config (twice: the second run changes nothing),
# site-facts and rolling-restart (as root through sudo).
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd_private s1
fx_sshd_private s2
fx_sshd_private s3
fx_known_hosts s1 s2 s3 >>"$HOME/.ssh/known_hosts"
D=$FX_DATA
fx_inventory_each root s1 s2 s3 >"$FX_DIR/inv.yml"
INV="-i $FX_DIR/inv.yml --no-history"

dr $INV play -e app_dir=$D/app playbooks/deploy-config.yml
fx_assert_eq 0 "$FX_RC" "deploy-config exit status"
for h in s1 s2 s3; do
	fx_assert_match '^port = 8080$' "$(fx_in $h cat $D/app/app.conf)" \
	    "$h app.conf"
	fx_in $h test -s $D/app/app.pid || fx_fail "$h: service not started"
done
dr $INV play -e app_dir=$D/app playbooks/deploy-config.yml
fx_assert_eq 0 "$FX_RC" "deploy-config again"
fx_assert_no_match ': changed' "$FX_OUT" "deploy-config again changed"

dr $INV play -e facts_dir=$D/facts playbooks/site-facts.yml
fx_assert_eq 0 "$FX_RC" "site-facts exit status"
fx_assert_match '^s2: ok \(item=kernel\)$' "$FX_OUT" "site-facts loop"
command -v sudo >/dev/null || fx_fail "no sudo (make deps installs it)"
dr $INV play -e state_dir=$D/svc playbooks/rolling-restart.yml
fx_assert_eq 0 "$FX_RC" "rolling-restart exit status"
fx_assert_match '^TASK \[start app\] \(batch 2/2\)$' "$FX_OUT" \
    "the task name rendered"
for h in s1 s2 s3; do
	fx_in $h test -e $D/svc/running || fx_fail "$h: not running"
done
