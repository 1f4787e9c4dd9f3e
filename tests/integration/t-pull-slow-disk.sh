#!/bin/sh
# t-pull-slow-disk.sh: a pull writes its local files off the loop thread:
# a host whose local directory cannot be written for now (an ext4 image
# frozen with fsfreeze, the slowest of disks: every write to it waits)
# holds up no other host, and its file arrives, renamed into place, once
# the disk can be written again; a host that times out meanwhile ends at
# once, its temporary file removed once the disk thaws.  The other host's
# download is slowed (the fault proxy reads 1 MB a second from its
# server) so that it is still going when the first host meets the frozen
# disk.  Both again for a pull through become (-B, sudo without a
# password), whose files come on the script's stdout.  Root only (a loop
# mount, in a mount namespace of the test's own).
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

[ "$(id -u)" -eq 0 ] || fx_fail "t-pull-slow-disk needs root"
. tests/fixtures/become.sh
mountpoint -q / || fx_fail "a mount namespace needs / to be a mount point"
fx_sshd s1
fx_fault f s1
fx_fault_cmd f 'new rate down 1000000'
fx_known_hosts s1 >>"$HOME/.ssh/known_hosts"
fx_known_hosts s1 | sed "s/:$FX_PORT_s1 /:$FX_PORT_f /" \
    >>"$HOME/.ssh/known_hosts"
cat >"$FX_DIR/inv.yml" <<EOF
all:
  vars:
    ansible_user: $FX_USER
    ansible_ssh_private_key_file: $FX_KEY
    ansible_host: 127.0.0.1
  hosts:
    h0001:
      ansible_port: $FX_PORT_s1
    h0002:
      ansible_port: $FX_PORT_f
EOF
mkdir "$FX_DIR/src" "$FX_DIR/dl" "$FX_DIR/dl/h0001"
head -c 4000000 /dev/urandom >"$FX_DIR/src/f"
chmod -R a+rX "$FX_DIR/src"
truncate -s 32M "$FX_DIR/disk.img"
mkfs.ext4 -q -F "$FX_DIR/disk.img" || fx_fail "mkfs.ext4"

# The same hosts, logging in as a user whose sudo asks for no password.
sed "s/ansible_user: $FX_USER\$/ansible_user: $DRB_N/" "$FX_DIR/inv.yml" \
    >"$FX_DIR/inv-b.yml"
INV=$FX_DIR/inv.yml

# frozen WAIT_CMD DROVE_ARGS...: in a mount namespace (the mount goes with
# it), with h0001's directory the frozen disk (its old file removed), run
# drove -i $INV DROVE_ARGS in the background, wait until WAIT_CMD holds (at most
# 30 s: a stalled loop never gets there) and write "yes" or "no" to
# $FX_DIR/waited, list h0001's directory into frozen.ls, thaw it (whatever
# happened: a trap), wait for drove (its status in $FX_DIR/rc) and list
# the directory again into thawed.ls.  h0002's old file goes first.
frozen()
{
	_w=$1
	shift
	rm -f "$FX_DIR/dl/h0002/f"
	cat >"$FX_DIR/frozen.sh" <<EOF
set -u
D=$FX_DIR/dl/h0001
mount -o loop "$FX_DIR/disk.img" "\$D" || exit 101
rm -f "\$D/f"
trap 'fsfreeze -u "\$D" 2>/dev/null' EXIT
fsfreeze -f "\$D" || exit 102
'$DROVE' --no-agent -i '$INV' --no-history $* \\
    >'$FX_DIR/run.out' 2>'$FX_DIR/run.err' </dev/null &
dpid=\$!
n=0
until $_w || [ \$n -ge 3000 ]; do
	n=\$((n + 1))
	sleep 0.01
done
if $_w; then echo yes; else echo no; fi >'$FX_DIR/waited'
ls -a "\$D" >'$FX_DIR/frozen.ls'
fsfreeze -u "\$D"
rc=0
wait \$dpid || rc=\$?
echo \$rc >'$FX_DIR/rc'
ls -a "\$D" >'$FX_DIR/thawed.ls'
EOF
	fx_loop_dev
	unshare -m --propagation private sh "$FX_DIR/frozen.sh" ||
	    fx_fail "frozen disk script: exit $?"
	cat "$FX_DIR/run.out" "$FX_DIR/run.err" >&2
}

# both [-B]: a pull of both hosts (-B: through become, with INV's user):
# h0002's file arrives while h0001's disk is frozen, h0001's once it
# thaws, renamed into place, whole, no temporary file left.
both()
{
	frozen "[ -f '$FX_DIR/dl/h0002/f' ]" "$@" pull all "'$FX_DIR/src/f'" \
	    "'$FX_DIR/dl'"
	fx_assert_eq yes "$(cat "$FX_DIR/waited")" \
	    "$*: h0002's file arrived while h0001's disk was frozen"
	cmp "$FX_DIR/src/f" "$FX_DIR/dl/h0002/f" ||
	    fx_fail "$*: h0002's file differs"
	fx_assert_no_match '^f$' "$(cat "$FX_DIR/frozen.ls")" \
	    "$*: h0001's file is not there before its rename"
	fx_assert_eq 0 "$(cat "$FX_DIR/rc")" \
	    "$*: the pull ends once the disk thaws"
	fx_assert_match '^f$' "$(cat "$FX_DIR/thawed.ls")" \
	    "$*: h0001's file arrived"
	fx_assert_no_match 'drove' "$(cat "$FX_DIR/thawed.ls")" \
	    "$*: no temporary file is left"
	fx_assert_match '^h0001: changed: 1 file, 4000000 bytes$' \
	    "$(cat "$FX_DIR/run.out")" "$*: h0001's file is whole"
}

# timed_out [-B]: a host that times out while its work waits for the
# frozen disk ends at once (timeout), and its temporary file is removed
# once the disk thaws.
timed_out()
{
	frozen "grep -q '\"host\":\"h0001\",\"status\":\"timeout\"' \
	    '$FX_DIR/run.out'" --json --timeout 2 "$@" pull h0001 \
	    "'$FX_DIR/src/f'" "'$FX_DIR/dl'"
	fx_assert_eq yes "$(cat "$FX_DIR/waited")" \
	    "$*: h0001 timed out while its disk was frozen"
	fx_assert_eq 1 "$(cat "$FX_DIR/rc")" "$*: the pull failed"
	fx_assert_no_match 'drove|^f$' "$(cat "$FX_DIR/thawed.ls")" \
	    "$*: the temporary file is removed, nothing renamed"
}

both
timed_out
# Through become the files come on the script's stdout; the same holds.
INV=$FX_DIR/inv-b.yml
both -B
timed_out -B
