#!/bin/sh
# t-inventory-ansible.sh: the inventories of tests/fixtures/inventories,
# read by drove and by ansible-core (the oracle): the same groups, the
# same vars for every host after group_vars/ and host_vars/ and Ansible's
# precedence, and the same hosts, in the same order, for every pattern of
# each inventory's patterns file (subscripts included); and the one place
# drove reads a pattern otherwise, on purpose: brackets after a name that
# is no group are a range of host names.
. tests/fixtures/lib.sh

fx_init
command -v ansible-inventory >/dev/null ||
    fx_fail "ansible-inventory not found: make deps installs ansible-core"
dir=tests/fixtures/inventories
for inv in ini/hosts yaml/hosts.yml kubespray/inventory.ini; do
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

k=$dir/kubespray/inventory.ini
fx_run ansible -i "$k" 'node[1-3]' --list-hosts
fx_assert_match 'hosts \(0\)' "$FX_OUT" "ansible reads [1-3] as a subscript"
fx_run "$DROVE" inventory list -i "$k" 'node[1-3]'
fx_assert_eq "node1 node2 node3" "$(echo $FX_OUT)" "drove: a range of names"
fx_run "$DROVE" inventory list -i "$k" 'etcd[1-3]'
fx_assert_eq "node2 node3" "$(echo $FX_OUT)" "after a group: a subscript"

# The store keeps the INI inventory's groups, ungrouped counted as Ansible
# does (jump1 and bastion, listed before any section, are in groups too:
# only solo is ungrouped), and says group_vars/ stay out of it.
i=$dir/ini/hosts
fx_run env DROVE_HOME="$FX_DIR/store" "$DROVE" inventory import "$i"
fx_assert_eq "0 imported 18 hosts, 6 groups" "$FX_RC $FX_OUT"
fx_assert_eq "drove inventory import: warning: $dir/ini/group_vars is not stored; give -i $i to read it
drove inventory import: warning: $dir/ini/host_vars is not stored; give -i $i to read it" \
    "$FX_ERR"
# The store keeps each var's type: numbers, booleans and lists stay so.
fx_run env DROVE_HOME="$FX_DIR/store" "$DROVE" inventory list --json jump1
for v in '"count":5' '"flag":true' '"ratio":1.5' '"list":\[1, 2\]'; do
	fx_assert_match "$v" "$FX_OUT" "typed from the store: $v"
done
fx_run env DROVE_HOME="$FX_DIR/store" "$DROVE" inventory groups
fx_assert_eq "all (18)
  ungrouped (1)
  bastion (1)
  prod (16)
    web (7)
    db (6)
    edge (5)" "$FX_OUT"
fx_log "ok"
