#!/bin/sh
# t-play-become.sh: become through sudo: the test user may run sh as root
# without a password (a sudoers rule this test adds and removes), so a
# become task runs as root, a task without become as the user, and a
# become_user the rule does not allow fails the host.  A template as
# become writes a file only root may write.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

command -v sudo >/dev/null && [ -d /etc/sudoers.d ] ||
    fx_fail "no sudo (make deps installs it)"
RULE=/etc/sudoers.d/drove-fx-$$
# Remove the rule, then clean up as lib.sh does, keeping the exit status.
trap '_r=$?; rm -f "$RULE"; (exit $_r); fx__cleanup' EXIT
printf '%s ALL=(root) NOPASSWD: /bin/sh, /usr/bin/sh\n' "$FX_USER" \
    >"$RULE.tmp"
chmod 440 "$RULE.tmp"
visudo -cf "$RULE.tmp" >/dev/null || fx_fail "bad sudoers rule"
mv "$RULE.tmp" "$RULE"

fx_sshd_private s1
fx_known_hosts s1 >>"$HOME/.ssh/known_hosts"
D=$FX_DATA
fx_inventory_each "$FX_USER" s1 >"$FX_DIR/inv.yml"
mkdir -p "$FX_DIR/templates"
printf 'owner={{ inventory_hostname }}\n' >"$FX_DIR/templates/root.conf"
fx_in s1 sh -c "mkdir -p $D/rootonly && chmod 755 $D/rootonly"

cat >"$FX_DIR/become.yml" <<EOF
- hosts: all
  tasks:
    - name: as user
      run: id -un >$D/as-user
    - name: as root
      run: id -u >$D/rootonly/as-root
      become: true
    - name: root file
      template:
        src: root.conf
        dest: $D/rootonly/root.conf
      become: true
EOF
dr -i "$FX_DIR/inv.yml" --no-history play "$FX_DIR/become.yml"
fx_assert_eq 0 "$FX_RC" "become exit status"
fx_assert_eq "$FX_USER" "$(fx_in s1 cat $D/as-user)" "without become"
fx_assert_eq 0 "$(fx_in s1 cat $D/rootonly/as-root)" "become runs as root"
fx_assert_eq "owner=s1" "$(fx_in s1 cat $D/rootonly/root.conf)"
fx_assert_eq root "$(fx_in s1 stat -c %U $D/rootonly/root.conf)" \
    "template as become"

# A second run leaves the root-owned template unchanged.
dr -i "$FX_DIR/inv.yml" --no-history play --tags never-tagged,all \
    "$FX_DIR/become.yml"
fx_assert_match '^s1: ok$' "$FX_OUT" "template as become, unchanged"

# A become_user the rule does not allow: sudo -n refuses, the host fails.
cat >"$FX_DIR/nobody.yml" <<EOF
- hosts: all
  tasks:
    - name: as nobody
      run: id -u
      become: true
      become_user: nobody
EOF
dr -i "$FX_DIR/inv.yml" --no-history play "$FX_DIR/nobody.yml"
fx_assert_eq 1 "$FX_RC" "refused become exit status"
fx_assert_match '^s1: failed' "$FX_OUT"
fx_assert_match 'sudo' "$FX_OUT" "sudo's message is shown"
exit 0
