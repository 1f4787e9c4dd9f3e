#!/bin/sh
# t-inventory.sh: "drove inventory": import (refusing passwords), export and
# a round trip through a second store, add, rm, list (--json), groups, show
# with the source of every value (inventory, ssh_config -F, defaults),
# group add and rm, where commands take their inventory from (--db, -i,
# both, ./inventory/hosts.yml, the default store), and two processes
# reading the store in a loop while a third writes it.
. tests/fixtures/lib.sh

fx_init
HOME=$FX_DIR/home
DROVE_HOME=$FX_DIR/drove-home
USER=tester
export HOME DROVE_HOME USER
mkdir -p "$HOME/.ssh"
DB=$DROVE_HOME/drove.db

cat >"$FX_DIR/inv.yml" <<'EOF'
all:
  vars:
    ansible_user: deploy
  children:
    web:
      vars: {tier: front}
      hosts:
        web[01:03]:
        web04: {ansible_port: 2222}
      children:
        webeu:
          hosts:
            web01:
    db:
      hosts:
        db01: {ansible_host: 10.0.1.11, password_env: DB_PW}
EOF

# import into the default store, created 0600 in a 0700 directory
fx_run "$DROVE" inventory import "$FX_DIR/inv.yml"
fx_assert_eq "0 imported 5 hosts, 3 groups" "$FX_RC $FX_OUT"
fx_assert_eq "700 600" "$(stat -c %a "$DROVE_HOME") $(stat -c %a "$DB")"

fx_run "$DROVE" inventory list
fx_assert_eq "web01
web02
web03
web04
db01" "$FX_OUT"
fx_run "$DROVE" inventory list 'web:!webeu'
fx_assert_eq "0 web02 web03 web04" "$FX_RC $(echo $FX_OUT)"
fx_run "$DROVE" inventory list nosuch
fx_assert_eq 2 "$FX_RC" "a pattern that matches nothing"
fx_assert_match "nosuch" "$FX_ERR"
fx_run "$DROVE" inventory list --json db01
fx_assert_eq '{"host":"db01","vars":{"ansible_host":"10.0.1.11","password_env":"DB_PW","ansible_user":"deploy","ansible_port":22}}' "$FX_OUT"

fx_run "$DROVE" inventory groups
fx_assert_eq "all (5)
  web (4)
    webeu (1)
  db (1)" "$FX_OUT"

# show: inventory, then ssh_config (-F), then defaults
cat >"$FX_DIR/ssh_config" <<'EOF'
Host web0?
  User sshuser
  Port 2200
  IdentityFile ~/.ssh/id_%r_%h
  ProxyJump bastion
EOF
fx_run "$DROVE" -F "$FX_DIR/ssh_config" inventory show web04
fx_assert_eq "web04
  ansible_port: 2222  # host web04
  tier: front  # group web
  ansible_user: deploy  # group all
  ansible_ssh_private_key_file: $HOME/.ssh/id_deploy_web04  # ssh_config $FX_DIR/ssh_config:4
  ssh_proxy_jump: bastion  # ssh_config $FX_DIR/ssh_config:5
jump: bastion  # ssh_config $FX_DIR/ssh_config:5
  via bastion: bastion port 22" "$FX_OUT"
fx_run "$DROVE" inventory show web02
fx_assert_eq "web02
  tier: front  # group web
  ansible_user: deploy  # group all
  ansible_port: 22  # default" "$FX_OUT" "defaults without ssh_config"
fx_run "$DROVE" inventory show nosuch
fx_assert_eq "2 drove inventory show: no host 'nosuch'" "$FX_RC $FX_ERR"
printf 'Host x\n  Port many\n' >"$FX_DIR/bad_config"
fx_run "$DROVE" -F "$FX_DIR/bad_config" inventory list
fx_assert_eq "2 drove: $FX_DIR/bad_config:2: bad port 'many'" \
    "$FX_RC $FX_ERR"

# export, import into another store, export again: the same YAML
fx_run "$DROVE" inventory export --yaml
fx_assert_eq 0 "$FX_RC"
printf '%s\n' "$FX_OUT" >"$FX_DIR/export.yml"
fx_assert_eq "all:
  vars:
    ansible_user: deploy
  children:
    web:
      vars:
        tier: front
      hosts:
        web01:
        web02:
        web03:
        web04:
          ansible_port: 2222
      children:
        webeu:
          hosts:
            web01:
    db:
      hosts:
        db01:
          ansible_host: 10.0.1.11
          password_env: DB_PW" "$FX_OUT"
fx_run "$DROVE" --db "$FX_DIR/other.db" inventory import "$FX_DIR/export.yml"
fx_run "$DROVE" --db "$FX_DIR/other.db" inventory export
fx_assert_eq "$(cat "$FX_DIR/export.yml")" "$FX_OUT" "round trip"

# add, group add with a parent, rm by pattern, group rm
fx_run "$DROVE" inventory add 'app[1:2]' --group app --group eu --var \
    port=2201 --var role=api
fx_assert_eq "0" "$FX_RC$FX_OUT$FX_ERR"
fx_run "$DROVE" inventory show app2
fx_assert_eq "app2
  ansible_port: 2201  # host app2
  role: api  # host app2
  ansible_user: deploy  # group all" "$FX_OUT"
fx_run "$DROVE" inventory add bad --var port=0
fx_assert_eq 2 "$FX_RC"
fx_assert_match "bad var 'port=0': bad port '0'" "$FX_ERR"
fx_run "$DROVE" inventory group add prod
fx_run "$DROVE" inventory group add web --parent prod
fx_assert_eq 0 "$FX_RC"
fx_run "$DROVE" inventory group add prod --parent webeu
fx_assert_eq "2 drove inventory group: group 'prod' cannot be a child of 'webeu': it is its ancestor" \
    "$FX_RC $FX_ERR"
fx_run "$DROVE" inventory group add x --parent nosuch
fx_assert_eq "2 drove inventory group: no group 'nosuch'" "$FX_RC $FX_ERR"
fx_run "$DROVE" inventory groups
fx_assert_eq "all (7)
  web (4)
    webeu (1)
  db (1)
  app (2)
  eu (2)
  prod (4)
    web (4)
      webeu (1)" "$FX_OUT"
fx_run "$DROVE" inventory rm 'web0[2-3],db*'
fx_assert_eq "0 removed 3 hosts" "$FX_RC $FX_OUT"
fx_run "$DROVE" inventory group rm eu
fx_assert_eq 0 "$FX_RC"
fx_run "$DROVE" inventory group rm eu
fx_assert_eq "2 drove inventory group: no group 'eu'" "$FX_RC $FX_ERR"
# Ansible's order: app1 and app2 are hosts of all (as export writes them),
# listed before the groups' hosts; ansible --list-hosts agrees on the export.
fx_run "$DROVE" inventory list
fx_assert_eq "app1 app2 web01 web04" "$(echo $FX_OUT)"

# passwords: refused unless --store-secrets, which warns
printf 'all:\n  hosts:\n    s1: {ansible_password: hunter2}\n' \
    >"$FX_DIR/secret.yml"
fx_run "$DROVE" inventory import "$FX_DIR/secret.yml"
fx_assert_eq "2 drove inventory import: refusing to store the password (ansible_password) of host 's1' in the database
drove inventory import: name an environment variable holding it with password_env, or give --store-secrets" \
    "$FX_RC $FX_ERR"
fx_run "$DROVE" inventory list s1
fx_assert_eq 2 "$FX_RC" "nothing was imported"
fx_run "$DROVE" inventory import --store-secrets "$FX_DIR/secret.yml"
fx_assert_eq "0 imported 1 hosts, 0 groups" "$FX_RC $FX_OUT"
fx_assert_match "warning: passwords are stored" "$FX_ERR"
fx_run "$DROVE" inventory import --replace "$FX_DIR/inv.yml"
fx_assert_eq "0 imported 5 hosts, 3 groups" "$FX_RC $FX_OUT"
fx_run "$DROVE" inventory list
fx_assert_eq "web01 web02 web03 web04 db01" "$(echo $FX_OUT)" "--replace"

# sources: -i alone, --db and -i merged, ./inventory/hosts.yml first
printf 'x1\nx2:2200\n' >"$FX_DIR/hosts.txt"
fx_run "$DROVE" -i "$FX_DIR/hosts.txt" inventory list
fx_assert_eq "x1 x2" "$(echo $FX_OUT)"
fx_run "$DROVE" --db "$DB" -i "$FX_DIR/hosts.txt" inventory list 'db01,x2'
fx_assert_eq "db01 x2" "$(echo $FX_OUT)"
mkdir -p "$FX_DIR/cwd/inventory"
printf 'all:\n  hosts:\n    local1:\n' >"$FX_DIR/cwd/inventory/hosts.yml"
fx_run sh -c "cd '$FX_DIR/cwd' && '$DROVE' inventory list"
fx_assert_eq "local1" "$FX_OUT"
fx_run sh -c "cd '$FX_DIR' && '$DROVE' inventory list web04"
fx_assert_eq "web04" "$FX_OUT" "the default store without hosts.yml"
fx_run env DROVE_HOME="$FX_DIR/none" "$DROVE" run all true
fx_assert_eq 2 "$FX_RC"
fx_assert_match "no hosts" "$FX_ERR"

# usage errors
fx_run "$DROVE" inventory
fx_assert_eq 2 "$FX_RC"
fx_assert_match "no subcommand" "$FX_ERR"
fx_run "$DROVE" inventory frob
fx_assert_match "unknown subcommand: frob" "$FX_ERR"
fx_run "$DROVE" inventory import "$FX_DIR/missing.yml"
fx_assert_eq 2 "$FX_RC"
fx_assert_match "missing.yml" "$FX_ERR"

# two readers in a loop while a third process writes the store
i=0
while [ $i -lt 3000 ]; do
	echo "big$i"
	i=$((i + 1))
done >"$FX_DIR/big.txt"
: >"$FX_DIR/readers.err"
for r in 1 2; do
	(
		n=0
		while [ ! -f "$FX_DIR/stop" ]; do
			"$DROVE" inventory list >/dev/null \
			    2>>"$FX_DIR/readers.err" ||
			    echo "reader $r failed" >>"$FX_DIR/readers.err"
			n=$((n + 1))
		done
		echo $n >"$FX_DIR/reads$r"
	) &
	fx_track $!
done
w=0
while [ $w -lt 10 ]; do
	"$DROVE" inventory import "$FX_DIR/big.txt" >/dev/null ||
	    fx_fail "import $w failed"
	"$DROVE" inventory add "extra$w" --group extra ||
	    fx_fail "add $w failed"
	"$DROVE" inventory rm 'big1*' >/dev/null || fx_fail "rm $w failed"
	w=$((w + 1))
done
touch "$FX_DIR/stop"
wait
fx_assert_eq "" "$(cat "$FX_DIR/readers.err")" "readers saw no errors"
fx_log "reads while writing: $(cat "$FX_DIR/reads1") $(cat "$FX_DIR/reads2")"
[ "$(cat "$FX_DIR/reads1")" -gt 0 ] && [ "$(cat "$FX_DIR/reads2")" -gt 0 ] ||
    fx_fail "a reader did not run"
fx_run "$DROVE" inventory list 'extra'
fx_assert_eq 10 "$(printf '%s\n' "$FX_OUT" | wc -l)"
echo "t-inventory: ok"
