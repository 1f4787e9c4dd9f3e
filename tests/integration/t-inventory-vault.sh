#!/bin/sh
# t-inventory-vault.sh: Ansible vault round trips.  Values encrypted by
# ansible-vault encrypt_string (formats 1.1 and 1.2) and a group_vars file
# encrypted by ansible-vault encrypt, the password always in a file:
# drove decrypts them as ansible does, with --vault-password-file,
# ANSIBLE_VAULT_PASSWORD_FILE, an executable that prints the password and
# --ask-vault-pass on a terminal, and logs in with a vaulted
# ansible_password.  A vaulted value is decrypted when used: inventory list
# --json prints it encrypted as ansible-inventory --list does, show as
# !vault, with or without the password.  Without the password a vaulted
# connection var is an error naming the host, the var and the options
# before anything connects, and other vaulted vars fail nothing (a play's
# task that reads one fails); a wrong password is an error naming the var,
# unknown YAML tags are errors at FILE:LINE:COLUMN.  Neither the password
# nor the secrets reach the output.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

command -v ansible-vault >/dev/null ||
    fx_fail "ansible-vault not found: make deps installs ansible-core"
fx_sshd s1
fx_known_hosts s1 >"$HOME/.ssh/known_hosts"
export ANSIBLE_HOME="$FX_DIR/ansible" ANSIBLE_LOCALHOST_WARNING=false
unset ANSIBLE_VAULT_PASSWORD_FILE
pw=$FX_DIR/vault-pw
printf 'vault fixture password\n' >"$pw"
chmod 600 "$pw"
d=$FX_DIR/v
mkdir -p "$d/group_vars"

# VAR SECRET [VAULT-ID-OPTION]: the secret goes to ansible-vault on stdin,
# never on argv.
vault()
{
	printf '%s' "$2" | ansible-vault encrypt_string \
	    "${3:---vault-password-file=$pw}" --stdin-name "$1" \
	    >"$FX_DIR/enc" 2>/dev/null || fx_fail "ansible-vault encrypt_string"
	cat "$FX_DIR/enc"
	echo
}
{
	printf 'all:\n  vars:\n    ansible_host: 127.0.0.1\n'
	printf '    ansible_port: %s\n    ansible_user: %s\n' "$FX_PORT_s1" \
	    "$FX_USER"
	printf '  hosts:\n    v1:\n'
	vault ansible_password "$FX_PASSWORD" | sed 's/^/      /'
	vault token 'tok-1.2' "--vault-id=prod@$pw" | sed 's/^/      /'
} >"$d/hosts.yml"
printf 'greeting: hello from a vaulted file\n' >"$d/group_vars/all.yml"
ansible-vault encrypt --vault-password-file "$pw" \
    "$d/group_vars/all.yml" >/dev/null 2>&1 || fx_fail "ansible-vault encrypt"
fx_assert_match '^\$ANSIBLE_VAULT;1.1;AES256' "$(head -n 1 "$d/group_vars/all.yml")"
fx_assert_match 'ANSIBLE_VAULT;1.2;AES256;prod' "$(cat "$d/hosts.yml")"

# The same values as ansible's, decrypted (ansible-inventory --list leaves
# vaulted values encrypted: the debug module shows them; a play's task
# shows drove's).
fx_run ansible -i "$d/hosts.yml" --vault-password-file "$pw" v1 -m debug \
    -a '{"msg": "{{ greeting }}|{{ token }}|{{ ansible_password | length }}"}'
[ "$FX_RC" = 0 ] || fx_fail "ansible debug"
want=$(printf '%s\n' "$FX_OUT" | sed -n 's/^ *"msg": "\(.*\)"$/\1/p')
fx_assert_eq "hello from a vaulted file|tok-1.2|${#FX_PASSWORD}" "$want"
printf -- "- hosts: all\n  tasks:\n    - run: 'echo \"{{ greeting }}|{{ token }}|{{ ansible_password | length }}\"'\n" \
    >"$FX_DIR/show.yml"
dr -i "$d/hosts.yml" --vault-password-file "$pw" play -v "$FX_DIR/show.yml"
fx_assert_eq 0 "$FX_RC" "a play reads vaulted vars"
printf '%s\n' "$FX_OUT" | grep -qF "$want" ||
    fx_fail "drove decrypts what ansible does: $FX_OUT"
# inventory list --json and show never print a decrypted value.
fx_run ansible-inventory -i "$d/hosts.yml" --vault-password-file "$pw" \
    --list
ans=$(printf '%s' "$FX_OUT" | /usr/bin/python3 -c '
import json, sys
print(json.load(sys.stdin)["_meta"]["hostvars"]["v1"]["token"])')
dr inventory list --json -i "$d/hosts.yml" --vault-password-file "$pw"
fx_assert_eq 0 "$FX_RC" "inventory list with the vault password"
got=$(printf '%s' "$FX_OUT" | /usr/bin/python3 -c '
import json, sys
print(json.load(sys.stdin)["vars"]["token"])')
fx_assert_eq "$ans" "$got" "encrypted as ansible-inventory --list prints it"
fx_assert_match '__ansible_vault' "$got"
dr inventory show -i "$d/hosts.yml" --vault-password-file "$pw" v1
fx_assert_match '^  token: !vault  # host v1$' "$FX_OUT"
for s in tok-1.2 "$FX_PASSWORD"; do
	dr inventory list --json -i "$d/hosts.yml" --vault-password-file "$pw"
	fx_assert_no_match "$s" "$FX_OUT$FX_ERR" "list --json shows no secret"
	dr inventory show -i "$d/hosts.yml" --vault-password-file "$pw" v1
	fx_assert_no_match "$s" "$FX_OUT$FX_ERR" "show shows no secret"
done

# A vaulted ansible_password logs in.
dr -i "$d/hosts.yml" --vault-password-file "$pw" run all 'echo vaulted'
fx_assert_eq "0 v1: vaulted" "$FX_RC $FX_OUT" "login with a vaulted password"
fx_assert_no_match "$FX_PASSWORD" "$FX_OUT$FX_ERR" "the secret is not shown"
fx_assert_no_match 'vault fixture' "$FX_OUT$FX_ERR" "nor the vault password"
fx_run env ANSIBLE_VAULT_PASSWORD_FILE="$pw" "$DROVE" --no-agent \
    -i "$d/hosts.yml" run all 'echo env'
fx_assert_eq "0 v1: env" "$FX_RC $FX_OUT" "ANSIBLE_VAULT_PASSWORD_FILE"
printf '#!/bin/sh\ncat "%s"\n' "$pw" >"$FX_DIR/pw-script"
chmod 700 "$FX_DIR/pw-script"
dr -i "$d/hosts.yml" --vault-password-file "$FX_DIR/pw-script" run all \
    'echo script'
fx_assert_eq "0 v1: script" "$FX_RC $FX_OUT" "a password script"
dr_pty "TERM=dumb '$DROVE' --no-agent -i '$d/hosts.yml' --ask-vault-pass --color never run all 'echo asked'" \
    '^Vault password: ' 'vault fixture password'
fx_assert_eq 0 "$FX_RC" "--ask-vault-pass"
fx_assert_match '^v1: asked' "$FX_OUT"
fx_assert_no_match 'vault fixture' "$FX_OUT" "the vault password is not echoed"

# Without the password: a vaulted vars file is an error for the hosts
# that use it, naming it (as ansible fails them; ansible-inventory --list
# fails too), not for the others; with the file decrypted away, a vaulted
# connection var is an error before any connection (exit 2, not a host
# failure).
dr -i "$d/hosts.yml" run all true
fx_assert_eq 2 "$FX_RC" "a vaulted file without the password"
fx_assert_eq "drove: host v1: file '$d/group_vars/all.yml' is vault-encrypted: give --vault-password-file FILE or --ask-vault-pass" "$FX_ERR"
fx_assert_eq "" "$FX_OUT" "nothing ran"
mkdir "$FX_DIR/lk"
cp -r "$d/group_vars" "$FX_DIR/lk/"
mv "$FX_DIR/lk/group_vars/all.yml" "$FX_DIR/lk/group_vars/app.yml"
printf 'all:\n  vars: {ansible_host: 127.0.0.1, ansible_port: %s, ansible_user: %s, key: %s}\n  hosts:\n    free:\n  children:\n    app:\n      hosts:\n        locked:\n' \
    "$FX_PORT_s1" "$FX_USER" "$FX_KEY" >"$FX_DIR/lk/hosts.yml"
dr -i "$FX_DIR/lk/hosts.yml" run free 'echo free'
fx_assert_eq "0 free: free" "$FX_RC $FX_OUT" "a host the file is not for"
dr -i "$FX_DIR/lk/hosts.yml" inventory list
fx_assert_eq "0 free locked" "$FX_RC $(echo $FX_OUT)" "names need no vars"
dr -i "$FX_DIR/lk/hosts.yml" run all true
fx_assert_eq "2 drove: host locked: file '$FX_DIR/lk/group_vars/app.yml' is vault-encrypted: give --vault-password-file FILE or --ask-vault-pass" \
    "$FX_RC $FX_ERR"
dr -i "$FX_DIR/lk/hosts.yml" inventory list --json
fx_assert_eq 2 "$FX_RC" "list --json needs the vars"
fx_assert_match "host locked: file '.*app.yml' is vault-encrypted" "$FX_ERR"
fx_run ansible-inventory -i "$FX_DIR/lk/hosts.yml" --list
fx_assert_match "no vault secrets" "$FX_ERR" "as ansible-inventory"
fx_run ansible -i "$FX_DIR/lk/hosts.yml" free --list-hosts
fx_assert_eq 0 "$FX_RC" "as ansible: the file is not read for free"
dr -i "$FX_DIR/lk/hosts.yml" --vault-password-file "$pw" run all 'echo x'
fx_assert_eq 0 "$FX_RC" "with the password"
rm "$d/group_vars/all.yml"
dr -i "$d/hosts.yml" run all true
fx_assert_eq 2 "$FX_RC" "a vaulted password without the vault password"
fx_assert_eq "drove: host v1: ansible_password (host v1) is vault-encrypted: give --vault-password-file FILE or --ask-vault-pass" "$FX_ERR"
fx_assert_eq "" "$FX_OUT" "nothing ran"
# A rerun takes the record's --vault-password-file with its other options,
# and checks the vault before it connects: a wrong password given again
# fails it.
dr -i "$d/hosts.yml" run --rerun 2
fx_assert_eq "0 v1: vaulted" "$FX_RC $FX_OUT" "a rerun takes the vault file"
printf 'not the password\n' >"$FX_DIR/wrong-pw"
dr -i "$d/hosts.yml" --vault-password-file "$FX_DIR/wrong-pw" run --rerun 2
fx_assert_eq 2 "$FX_RC" "a rerun checks the vault too"
fx_assert_eq "" "$FX_OUT" "nothing ran"
fx_assert_match "^drove: .*vault" "$FX_ERR"
dr inventory show -i "$d/hosts.yml" v1
fx_assert_eq 0 "$FX_RC" "show needs no password"
fx_assert_match '^  ansible_password: !vault  # host v1$' "$FX_OUT"
# A vaulted var no connection reads fails nothing without the password.
cp "$d/hosts.yml" "$FX_DIR/app.yml"
sed -i '/ansible_password:/,/^      token:/{/^      token:/!d}' "$FX_DIR/app.yml"
printf '      ansible_password: %s\n' "$FX_PASSWORD" >>"$FX_DIR/app.yml"
fx_assert_match '^      token: !vault' "$(cat "$FX_DIR/app.yml")"
dr -i "$FX_DIR/app.yml" run all 'echo app'
fx_assert_eq "0 v1: app" "$FX_RC $FX_OUT" "an app secret needs no password"
dr -i "$FX_DIR/app.yml" inventory list --json
fx_assert_eq 0 "$FX_RC" "list --json needs no password"
fx_assert_match '"token":\{"__ansible_vault": "\$ANSIBLE_VAULT;1.2;AES256;prod' \
    "$FX_OUT"

# A wrong password is an error naming the var, before anything connects.
printf 'not it\n' >"$FX_DIR/wrong"
dr -i "$d/hosts.yml" --vault-password-file "$FX_DIR/wrong" run all true
fx_assert_eq 2 "$FX_RC"
fx_assert_eq "drove: host v1: cannot decrypt ansible_password (host v1): the vault password does not decrypt it" "$FX_ERR"
: >"$FX_DIR/empty"
dr -i "$d/hosts.yml" --vault-password-file "$FX_DIR/empty" run all true
fx_assert_eq "2 drove: the vault password in '$FX_DIR/empty' is empty" \
    "$FX_RC $FX_ERR"

# drove play reads group_vars/ and host_vars/ beside the playbook too, above
# those beside the inventory, as ansible-playbook does; a vaulted var it
# cannot decrypt fails only the task that reads it, as in Ansible.
mkdir -p "$FX_DIR/p/inv/group_vars" "$FX_DIR/p/play/group_vars" \
    "$FX_DIR/p/play/host_vars"
printf 'all:\n  vars: {ansible_host: 127.0.0.1, ansible_port: %s, ansible_user: %s, key: %s}\n  hosts:\n    p1:\n' \
    "$FX_PORT_s1" "$FX_USER" "$FX_KEY" >"$FX_DIR/p/inv/hosts.yml"
printf 'where: inventory\nwho: inventory\n' >"$FX_DIR/p/inv/group_vars/all.yml"
printf 'where: playbook\n' >"$FX_DIR/p/play/group_vars/all.yml"
printf 'who: playbook-host\n' >"$FX_DIR/p/play/host_vars/p1.yml"
printf -- "- hosts: all\n  tasks:\n    - run: 'echo \"vars: {{ where }} {{ who }}\"'\n" \
    >"$FX_DIR/p/play/site.yml"
printf -- '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: {msg: "vars: {{ where }} {{ who }}"}\n' \
    >"$FX_DIR/p/play/ans.yml"
fx_run ansible-playbook -i "$FX_DIR/p/inv/hosts.yml" "$FX_DIR/p/play/ans.yml"
want=$(printf '%s\n' "$FX_OUT" | sed -n 's/^ *"msg": "\(vars: .*\)"$/\1/p')
fx_assert_eq "vars: playbook playbook-host" "$want" "ansible-playbook"
dr -i "$FX_DIR/p/inv/hosts.yml" play -v "$FX_DIR/p/play/site.yml"
fx_assert_eq 0 "$FX_RC" "play with vars beside the playbook"
fx_assert_match "$want" "$FX_OUT"
# group_names holds a group that has a host's name (as in Ansible), though
# the pattern 'bastion' selects the host.
printf 'all:\n  vars: {ansible_host: 127.0.0.1, ansible_port: %s, ansible_user: %s, key: %s}\n  hosts:\n    bastion:\n  children:\n    bastion:\n      hosts:\n        jump1:\n' \
    "$FX_PORT_s1" "$FX_USER" "$FX_KEY" >"$FX_DIR/p/same.yml"
printf -- "- hosts: jump1\n  tasks:\n    - run: 'echo \"groups: {{ group_names | join(\",\") }}\"'\n" \
    >"$FX_DIR/p/groups.yml"
dr -i "$FX_DIR/p/same.yml" play -v "$FX_DIR/p/groups.yml"
fx_assert_eq 0 "$FX_RC" "play on jump1"
fx_assert_match 'groups: bastion' "$FX_OUT"
vault secret 's3' >>"$FX_DIR/p/play/host_vars/p1.yml"
dr -i "$FX_DIR/p/inv/hosts.yml" play "$FX_DIR/p/play/site.yml"
fx_assert_eq 0 "$FX_RC" "an unread vaulted var fails no play"
printf -- "- hosts: all\n  tasks:\n    - run: 'echo \"{{ secret }}\"'\n" \
    >"$FX_DIR/p/play/secret.yml"
dr -i "$FX_DIR/p/inv/hosts.yml" play "$FX_DIR/p/play/secret.yml"
fx_assert_eq 1 "$FX_RC" "a task that reads one fails"
fx_assert_match "p1: failed: .*undefined variable .secret." "$FX_OUT"
dr -i "$FX_DIR/p/inv/hosts.yml" --vault-password-file "$pw" play -v \
    "$FX_DIR/p/play/secret.yml"
fx_assert_eq 0 "$FX_RC" "with the password it reads it"

# Tags other than YAML's own, !vault and !unsafe are errors, as in Ansible.
printf 'all:\n  hosts:\n    t1:\n      x: !unsafe "{{ a }}"\n      y: !foo bar\n' \
    >"$FX_DIR/tags.yml"
dr inventory list -i "$FX_DIR/tags.yml"
fx_assert_eq "2 drove: $FX_DIR/tags.yml:5:10: unknown YAML tag '!foo'" \
    "$FX_RC $FX_ERR"
fx_log "ok"
