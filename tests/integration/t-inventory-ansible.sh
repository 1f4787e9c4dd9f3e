#!/bin/sh
# t-inventory-ansible.sh: the inventories of tests/fixtures/inventories,
# read by drove and by ansible-core (the oracle): the same groups, the
# same vars for every host after group_vars/ and host_vars/ and Ansible's
# precedence, and the same hosts, in the same order, for every pattern of
# each inventory's patterns file (subscripts included).
. tests/fixtures/lib.sh

fx_init
command -v ansible-inventory >/dev/null ||
    fx_fail "ansible-inventory not found: make deps installs ansible-core"
dir=tests/fixtures/inventories
for inv in ini/hosts yaml/hosts.yml; do
	d=$(dirname "$dir/$inv")
	set -f
	pats=$(grep -v '^#' "$d/patterns")
	# One pattern an argument: the patterns hold no spaces.
	# shellcheck disable=SC2086
	fx_run /usr/bin/python3 tests/helpers/ansible-oracle.py "$DROVE" \
	    "$dir/$inv" $pats
	[ "$FX_RC" = 0 ] || fx_fail "drove and ansible differ on $inv:
$FX_OUT"
done
fx_log "ok"
