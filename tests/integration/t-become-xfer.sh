#!/bin/sh
# t-become-xfer.sh: push, pull, play and shell as root through sudo with a
# password, on OpenSSH and dropbear hosts with filesystems of their own,
# logging in as a user of the test's own (tests/fixtures/become.sh):
# push replaces a root-owned file in a root-owned directory keeping its
# owner and group, with the mode asked for, atomically (a wrong password
# or a full disk leave the old file and no temporary file); pull -r
# fetches root-only files; a playbook with become and -K asked once on a
# terminal; shell -B -K opens a login shell as root; and the password is
# in no recording, output or history.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh
. tests/fixtures/become.sh

TERM=xterm-256color
DROVE_HOME=$FX_DIR/dh
export TERM DROVE_HOME
mkdir -p "$DROVE_HOME"
fx_sshd_private s1 size=1m
fx_dropbear_private d1 size=1m
fx_known_hosts s1 d1 >>"$HOME/.ssh/known_hosts"
D=$FX_DATA
HOSTS="s1 d1"
cat >"$FX_DIR/inv.yml" <<EOF
all:
  vars:
    ansible_user: $DRB_P
    ansible_host: 127.0.0.1
    ansible_ssh_private_key_file: $FX_KEY
    become_password_env: DRB_PW
  hosts:
    s1: { ansible_port: $FX_PORT_s1 }
    d1: { ansible_port: $FX_PORT_d1, ansible_become: yes }
EOF
# dropbear drops a sixth connection from one address short of auth
BX="-i $FX_DIR/inv.yml --max-startups 4"

for h in $HOSTS; do
	fx_in $h sh -c "mkdir -p $D/etc/sub $D/secret/deep &&
	    echo old >$D/etc/app.conf && chown root:adm $D/etc/app.conf &&
	    chmod 604 $D/etc/app.conf && chmod 755 $D/etc $D/etc/sub &&
	    chown root:root $D/etc $D/etc/sub &&
	    echo top-secret >$D/secret/key && echo deeper >$D/secret/deep/x &&
	    chmod 700 $D/secret && chmod 600 $D/secret/key &&
	    chown -R root:root $D/secret"
done

# Fail if a temporary file is left in DIR on host H.
no_tmp()
{
	fx_assert_eq "" "$(fx_in "$1" find "$2" -name '.*.drove-*')" \
	    "temporary files left on $1"
}

# push: a root-owned target, its owner and group kept, mode as asked.
printf 'new contents\n' >"$FX_DIR/app.conf"
DRB_PW=$DRB_PW_P dr $BX --no-history -B push --mode 640 all \
    "$FX_DIR/app.conf" "$D/etc/app.conf"
fx_assert_eq 0 "$FX_RC" "push --become"
for h in $HOSTS; do
	fx_assert_match "^$h: changed: 1 file, 13 bytes$" "$FX_OUT"
	fx_assert_eq "new contents" "$(fx_in $h cat $D/etc/app.conf)" \
	    "$h: new bytes"
	fx_assert_eq "root adm 640" \
	    "$(fx_in $h stat -c '%U %G %a' $D/etc/app.conf)" \
	    "$h: owner and group kept, mode as asked"
	no_tmp $h $D/etc
done

# The same again: unchanged with --checksum; a tree into a directory.
DRB_PW=$DRB_PW_P dr $BX --no-history -B push --checksum --mode 640 all \
    "$FX_DIR/app.conf" "$D/etc/app.conf"
fx_assert_match '^2 hosts: 2 unchanged$' "$FX_ERR" "push --checksum"
mkdir -p "$FX_DIR/tree/a"
printf 'one\n' >"$FX_DIR/tree/a/one"
chmod 751 "$FX_DIR/tree/a/one"
DRB_PW=$DRB_PW_P dr $BX --no-history -B push -r all "$FX_DIR/tree" \
    "$D/etc/sub/"
fx_assert_eq 0 "$FX_RC" "push -r --become"
for h in $HOSTS; do
	fx_assert_eq "root 751 one" "$(fx_in $h stat -c '%U %a' \
	    $D/etc/sub/tree/a/one) $(fx_in $h cat $D/etc/sub/tree/a/one)" \
	    "$h: tree as root"
done

# Failures leave the old file and no temporary file: a wrong password,
# and a disk too small for the new file.
DRB_PW=wrong dr $BX --no-history -B push all "$FX_DIR/app.conf" \
    "$D/etc/app.conf"
fx_assert_eq 3 "$FX_RC" "push, wrong password"
dr_summary auth d1,s1 'become: incorrect password for sudo'
head -c 2000000 /dev/urandom >"$FX_DIR/big"
DRB_PW=$DRB_PW_P dr $BX --no-history -B push all "$FX_DIR/big" \
    "$D/etc/app.conf"
fx_assert_eq 1 "$FX_RC" "push to a full disk"
# the target named, not the temporary file: the hosts fold into one line
dr_summary failed d1,s1 "write $D/etc/app.conf: No space left on device\$"
for h in $HOSTS; do
	fx_assert_eq "new contents" "$(fx_in $h cat $D/etc/app.conf)" \
	    "$h: old file intact"
	no_tmp $h $D/etc
done

# pull: root-only files, one and a tree.
DRB_PW=$DRB_PW_P dr $BX --no-history -B pull -r all "$D/secret" \
    "$FX_DIR/got"
fx_assert_eq 0 "$FX_RC" "pull --become"
for h in $HOSTS; do
	fx_assert_eq "top-secret deeper 600" \
	    "$(cat "$FX_DIR/got/$h/secret/key" "$FX_DIR/got/$h/secret/deep/x" |
	    tr '\n' ' ')$(stat -c %a "$FX_DIR/got/$h/secret/key")" \
	    "$h: pulled as root"
done
DRB_PW=$DRB_PW_P dr $BX --no-history -B pull --flat all "$D/secret/key" \
    "$FX_DIR/flat"
fx_assert_eq "top-secret" "$(cat "$FX_DIR/flat/key.s1")" "pull --flat"
DRB_PW=$DRB_PW_P dr $BX --no-history -B pull all "$D/secret" "$FX_DIR/x"
fx_assert_eq 1 "$FX_RC" "pull of a directory without -r"
dr_summary failed d1,s1 '.*secret: a directory \(use -r\)$'
# without become, the login user cannot read it
dr -i "$FX_DIR/inv.yml" --no-history pull s1 "$D/secret/key" "$FX_DIR/no"
fx_assert_eq 1 "$FX_RC" "pull without become"

# su runs on a pty: every byte value passes both ways unchanged, and a
# file longer than a terminal's line.
for h in $HOSTS; do
	fx_in $h sh -c "mkdir $D/n && chown $DRB_N $D/n && chmod 700 $D/n"
done
awk 'BEGIN { for (i = 0; i < 70000; i++) printf "%c", i % 256 }' \
    >"$FX_DIR/bytes"
SU="--become-method su --become-user $DRB_N"
DRB_PW=$DRB_PW_N dr $BX --no-history -B $SU push all "$FX_DIR/bytes" "$D/n/"
fx_assert_eq 0 "$FX_RC" "push through su"
DRB_PW=$DRB_PW_N dr $BX --no-history -B $SU pull all "$D/n/bytes" \
    "$FX_DIR/back"
fx_assert_eq 0 "$FX_RC" "pull through su"
for h in $HOSTS; do
	fx_assert_eq "$DRB_N" "$(fx_in $h stat -c %U $D/n/bytes)" "$h: su owner"
	cmp "$FX_DIR/bytes" "$FX_DIR/back/$h/bytes" ||
	    fx_fail "$h: bytes changed through su's pty"
done
DRB_PW=$DRB_PW_N dr $BX --no-history -B $SU pull all "$D/n/none" \
    "$FX_DIR/back"
fx_assert_eq 1 "$FX_RC" "pull of a missing file through su"
dr_summary failed d1,s1 '.*/n/none: no such file, or not a regular file$' \
    "su: the message through the pty"

# A playbook with become, the password asked once on a terminal (-K).
cat >"$FX_DIR/play.yml" <<EOF
- hosts: all
  tasks:
    - name: as root
      run: id -un >$D/etc/who
      become: true
    - name: a root file
      template: { src: t.conf, dest: $D/etc/t.conf, mode: "0600" }
      become: true
EOF
printf 'host={{ inventory_hostname }}\n' >"$FX_DIR/t.conf"
sed 's/ become_password_env: DRB_PW/ become_password_env: DRB_NONE/' \
    "$FX_DIR/inv.yml" >"$FX_DIR/inv-k.yml"
dr_pty "$DROVE --no-agent --db $FX_DIR/drove.db -i $FX_DIR/inv-k.yml \
--max-startups 4 play -K $FX_DIR/play.yml" \
    'BECOME password: *$' "$DRB_PW_P"
fx_assert_eq 0 "$FX_RC" "play -K"
fx_assert_eq 1 "$(printf '%s\n' "$FX_OUT" | grep -c 'BECOME password')" \
    "play: asked once"
for h in $HOSTS; do
	fx_assert_eq "root" "$(fx_in $h cat $D/etc/who)" "$h: play as root"
	fx_assert_eq "host=$h root 600" "$(fx_in $h cat $D/etc/t.conf) \
$(fx_in $h stat -c '%U %a' $D/etc/t.conf)" "$h: template as root"
done

# shell -B -K: a login shell as root, recorded (typed input too) without
# the password.
dr_pty "$DROVE --no-agent --db $FX_DIR/drove.db -i $FX_DIR/inv-k.yml \
shell -B -K --record-input s1" 'BECOME password: *$' "$DRB_PW_P" \
    'root@.*# *$' 'echo "I am $(id -un) in $HOME"; exit 7'
fx_assert_eq 7 "$FX_RC" "shell exit status"
fx_assert_match 'I am root in /root' "$FX_OUT" "shell as root"
fx_assert_no_match 'drove-become|drove-became' "$FX_OUT" "no marker shown"
dr_pty "$DROVE --no-agent --db $FX_DIR/drove.db -i $FX_DIR/inv-k.yml \
shell -B -K d1 -- 'id -un'" 'BECOME password: *$' "$DRB_PW_P"
fx_assert_eq "0" "$FX_RC" "shell -- COMMAND on dropbear"
fx_assert_match '^root$' "$FX_OUT" "dropbear shell as root"
dr_pty "$DROVE --no-agent --db $FX_DIR/drove.db -i $FX_DIR/inv-k.yml \
shell -B -K --become-method su --become-user $DRB_N d1" \
    'BECOME password: *$' "$DRB_PW_N" '\$ *$' 'echo "I am $(id -un)"; exit 5'
fx_assert_eq 5 "$FX_RC" "su shell exit status"
fx_assert_match "^I am $DRB_N\$" "$FX_OUT" "a login shell through su"

# The password is in no recording (beside the --db store), history or
# output.
ls "$FX_DIR"/sessions/*.cast >/dev/null || fx_fail "no recording"
for f in "$FX_DIR"/sessions/*.cast "$FX_DIR"/drove.db*; do
	! grep -aqF "$DRB_PW_P" "$f" || fx_fail "password in $f"
	! grep -aq 'drove-become-' "$f" || fx_fail "prompt in $f"
done
grep -aq 'I am root' "$FX_DIR"/sessions/*.cast ||
    fx_fail "the shell was not recorded"
exit 0
