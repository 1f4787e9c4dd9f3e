#!/bin/sh
# t-play-vars.sh: drove play's variables and task selection: when over
# inventory vars, register and a later when, loop with item, play vars
# under -e, group_names, --tags, --skip-tags, --start-at-task, and
# --syntax-check (file:line:column, exit 2).
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd_private s1
fx_sshd_private s2
fx_known_hosts s1 s2 >>"$HOME/.ssh/known_hosts"
D=$FX_DATA
{
	printf 'all:\n  vars:\n    ansible_user: root\n'
	printf '    ansible_ssh_private_key_file: %s\n' "$FX_KEY"
	printf '    ansible_host: 127.0.0.1\n  children:\n'
	printf '    web:\n      hosts:\n        s1:\n          ansible_port: %s\n' \
	    "$(cat "$FX_DIR/s1/port")"
	printf '          role: web\n'
	printf '    db:\n      hosts:\n        s2:\n          ansible_port: %s\n' \
	    "$(cat "$FX_DIR/s2/port")"
	printf '          role: db\n'
} >"$FX_DIR/inv.yml"
INV="-i $FX_DIR/inv.yml --no-history"

cat >"$FX_DIR/vars.yml" <<EOF
- name: vars
  hosts: all
  vars:
    greeting: hello
  tasks:
    - name: web only
      run: touch $D/web
      when: role == 'web'
    - name: greet
      run: echo {{ greeting }}-{{ inventory_hostname }}
      register: greet
      changed_when: false
      tags: [greet]
    - name: keep
      run: echo {{ greet.stdout }} {{ greet.rc }} >$D/greet
      when: inventory_hostname in greet.stdout
      tags: [greet]
    - name: items
      run: touch $D/item-{{ item }}
      loop: [a, b, c]
      register: made
      tags: [loop]
    - name: count
      run: echo {{ made.results | length }} {{ group_names | join }} >$D/count
      tags: [loop]
EOF

# Read file F on host H, or "missing".
get()
{
	fx_in "$1" sh -c "cat '$2' 2>/dev/null || echo missing"
}

dr $INV play "$FX_DIR/vars.yml"
fx_assert_eq 0 "$FX_RC" "vars exit status"
fx_assert_match '^s1: changed$' "$FX_OUT"
fx_assert_match '^s2: skipped$' "$FX_OUT" "when on a host var"
fx_assert_eq "yes missing" "$(fx_in s1 sh -c "[ -e $D/web ] && echo yes") \
$(get s2 $D/web)" "when"
fx_assert_eq "hello-s1 0" "$(get s1 $D/greet)" "register and when"
fx_assert_eq "hello-s2 0" "$(get s2 $D/greet)" "register on s2"
fx_assert_match '^s2: changed \(item=b\)$' "$FX_OUT" "loop items"
fx_assert_eq "$D/item-a $D/item-b $D/item-c" \
    "$(fx_in s2 sh -c "ls $D/item-* | tr '\n' ' ' | sed 's/ \$//'")" "loop"
fx_assert_eq "3 web" "$(get s1 $D/count)" "loop register and group_names"
fx_assert_eq "3 db" "$(get s2 $D/count)"

# -e beats play vars; --tags runs only the tagged tasks.
fx_in s1 rm -f $D/web $D/count
dr $INV play -e greeting=bye --tags greet "$FX_DIR/vars.yml"
fx_assert_eq 0 "$FX_RC"
fx_assert_eq "bye-s1 0" "$(get s1 $D/greet)" "-e over play vars"
printf 'greeting: ciao\n' >"$FX_DIR/extra.yml"
dr $INV play -e @"$FX_DIR/extra.yml" --tags greet "$FX_DIR/vars.yml"
fx_assert_eq 0 "$FX_RC"
fx_assert_eq "ciao-s1 0" "$(get s1 $D/greet)" "-e @FILE over play vars"
printf -- '- greeting\n' >"$FX_DIR/bad-extra.yml"
dr $INV play -e @"$FX_DIR/bad-extra.yml" "$FX_DIR/vars.yml"
fx_assert_eq 2 "$FX_RC" "a bad -e @FILE"
fx_assert_match "bad-extra.yml:1:1: extra vars: expected a mapping" "$FX_ERR"
fx_assert_eq "missing missing" "$(get s1 $D/web) $(get s1 $D/count)" \
    "--tags ran an untagged or other task"

# --skip-tags and --start-at-task.
dr $INV play --skip-tags greet,loop "$FX_DIR/vars.yml"
fx_assert_eq 0 "$FX_RC"
fx_assert_no_match '^TASK \[(greet|keep|items|count)\]' "$FX_OUT" \
    "--skip-tags"
fx_assert_match '^TASK \[web only\]' "$FX_OUT"
dr $INV play --start-at-task items "$FX_DIR/vars.yml"
fx_assert_eq 0 "$FX_RC"
fx_assert_no_match '^TASK \[(web only|greet|keep)\]' "$FX_OUT" \
    "--start-at-task ran an earlier task"
fx_assert_match '^TASK \[count\]' "$FX_OUT"
dr $INV play --start-at-task nosuch "$FX_DIR/vars.yml"
fx_assert_eq 2 "$FX_RC" "--start-at-task with no such task"
fx_assert_match "no task named 'nosuch'" "$FX_ERR"

# An undefined variable fails the host, naming it.
cat >"$FX_DIR/undef.yml" <<EOF
- hosts: s1
  tasks:
    - run: echo {{ nosuch }}
EOF
dr $INV play "$FX_DIR/undef.yml"
fx_assert_eq 1 "$FX_RC" "undefined variable exit status"
fx_assert_match "^s1: failed: .*nosuch" "$FX_OUT"

# --syntax-check: fine, or the error's file:line:column and exit 2.
dr play --syntax-check "$FX_DIR/vars.yml"
fx_assert_eq 0 "$FX_RC" "syntax-check of a good playbook"
cat >"$FX_DIR/bad.yml" <<EOF
- hosts: all
  tasks:
    - name: typo
      rnu: true
EOF
dr play --syntax-check "$FX_DIR/bad.yml"
fx_assert_eq 2 "$FX_RC" "syntax-check of a bad playbook"
fx_assert_match "bad.yml:4:[0-9]+: " "$FX_ERR" "file:line:column"
dr $INV play "$FX_DIR/bad.yml"
fx_assert_eq 2 "$FX_RC" "a bad playbook runs nothing"

# A hosts pattern that matches nothing (a typo) is an error naming the
# closest names, before the first play runs.
cat >"$FX_DIR/typo.yml" <<EOF
- hosts: s1
  tasks:
    - run: touch $D/typo-first
- name: second
  hosts: s3
  tasks:
    - run: true
EOF
dr $INV play "$FX_DIR/typo.yml"
fx_assert_eq 2 "$FX_RC" "a pattern matching nothing"
fx_assert_match "typo.yml: play 2 \\(second\\): hosts: no group or host matches 's3'; closest: s1" \
    "$FX_ERR"
fx_assert_eq "missing" "$(get s1 $D/typo-first)" "the first play did not run"

# Usage errors: exit 2, the message, nothing run.
for args in "-e novalue|drove play: bad -e: 'novalue' (KEY=VALUE)" \
    "|drove play: no playbook" \
    "a.yml b.yml|drove play: one playbook at a time" \
    "--failed a.yml|drove play: --failed without --rerun"; do
	# shellcheck disable=SC2086
	dr $INV play ${args%%|*}
	fx_assert_eq 2 "$FX_RC" "play ${args%%|*}"
	fx_assert_eq "${args#*|}" "$(printf '%s\n' "$FX_ERR" | head -n 1)"
done
# --ask-pass without a terminal fails before the first play.
dr $INV --ask-pass play "$FX_DIR/vars.yml"
fx_assert_eq 2 "$FX_RC" "--ask-pass without a terminal"
fx_assert_eq "drove: --ask-pass needs a terminal" "$FX_ERR"
fx_assert_eq "" "$FX_OUT" "no play started"
