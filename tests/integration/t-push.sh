#!/bin/sh
# t-push.sh: drove push to hosts with filesystems of their own (OpenSSH and
# dropbear): files, empty and large files, trees, modes, mtimes, mkdir,
# unchanged detection (--update, --checksum), the JSON fields; every host's
# bytes are checked in its own namespace.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd_private s1
fx_sshd_private s2
fx_dropbear_private d1
fx_inventory_each "$FX_USER" s1 s2 d1 >"$FX_DIR/inv.yml"
fx_known_hosts s1 s2 d1 >>"$HOME/.ssh/known_hosts"
HOSTS="s1 s2 d1"
D=$FX_DATA

# The sha256 of PATH on host H, or "missing".
remote_sum()
{
	fx_in "$1" sh -c "sha256sum <'$2' 2>/dev/null || echo missing" |
	    cut -d' ' -f1
}

# Fail unless PATH on every host has the bytes of local file LOCAL.
check_all()
{
	_want=$(sha256sum <"$1" | cut -d' ' -f1)
	for _h in $HOSTS; do
		fx_assert_eq "$_want" "$(remote_sum "$_h" "$2")" "$_h:$2 bytes"
	done
}

# Fail if a temporary file is left in DIR on host H.
no_tmp()
{
	fx_assert_eq "" "$(fx_in "$1" find "$2" -name '.*.drove-*')" \
	    "temporary files left on $1"
}

L=$FX_DIR/src
mkdir -p "$L/tree/sub/deeper"
head -c 20000000 /dev/urandom >"$L/large"
: >"$L/empty"
printf 'hello\n' >"$L/small"
chmod 640 "$L/small"
printf 'one\n' >"$L/tree/one"
printf 'x\n' >"$L/tree/sub/deeper/x"
: >"$L/tree/sub/empty"
chmod 751 "$L/tree/one"

# Files, empty and large, into a directory: every host gets every byte.
dr -i "$FX_DIR/inv.yml" push all "$L/large" "$L/empty" "$L/small" "$D/"
fx_assert_eq 0 "$FX_RC" "push exit status"
for h in $HOSTS; do
	fx_assert_match "^$h: changed: 3 files, 20000006 bytes$" "$FX_OUT"
	no_tmp "$h" "$D"
done
fx_assert_match '^3 hosts: 3 changed$' "$FX_ERR" "summary"
check_all "$L/large" "$D/large"
check_all "$L/empty" "$D/empty"
check_all "$L/small" "$D/small"
fx_assert_eq 640 "$(fx_in d1 stat -c %a "$D/small")" "the source's mode"

# The same from three loop threads sharing the chunks of each file.
dr -i "$FX_DIR/inv.yml" --loops 3 push all "$L/large" "$D/large3"
fx_assert_eq 0 "$FX_RC" "push on three loops"
check_all "$L/large" "$D/large3"

# A file to a new name, --mode, --preserve; replacing an existing file.
fx_in s2 sh -c "echo old >$D/renamed"
touch -d '2020-01-02 03:04:05' "$L/small"
dr -i "$FX_DIR/inv.yml" push --mode 0600 --preserve all "$L/small" \
    "$D/renamed"
fx_assert_eq 0 "$FX_RC"
check_all "$L/small" "$D/renamed"
for h in $HOSTS; do
	fx_assert_eq 600 "$(fx_in "$h" stat -c %a "$D/renamed")" "$h --mode"
	fx_assert_eq "$(stat -c %Y "$L/small")" \
	    "$(fx_in "$h" stat -c %Y "$D/renamed")" "$h --preserve"
	no_tmp "$h" "$D"
done

# Unchanged: --update compares size and mtime.
dr -i "$FX_DIR/inv.yml" push -u --preserve all "$L/small" "$D/renamed"
fx_assert_eq 0 "$FX_RC"
fx_assert_match '^s1: unchanged$' "$FX_OUT"
fx_assert_match '^3 hosts: 3 unchanged$' "$FX_ERR" "summary of unchanged"
touch "$L/small"
dr -i "$FX_DIR/inv.yml" push -u --preserve all "$L/small" "$D/renamed"
fx_assert_match '^3 hosts: 3 changed$' "$FX_ERR" "a newer mtime is a change"

# --checksum: one host's copy differs in content only (same size).
fx_in s2 sh -c "printf 'HELLO\n' >$D/renamed"
dr -i "$FX_DIR/inv.yml" push --checksum all "$L/small" "$D/renamed"
fx_assert_eq 0 "$FX_RC"
fx_assert_match '^s2: changed: 1 file, 6 bytes$' "$FX_OUT"
fx_assert_match '^s1: unchanged$' "$FX_OUT"
fx_assert_match '^d1: unchanged$' "$FX_OUT"
check_all "$L/small" "$D/renamed"

# Trees with --mkdir into a missing nested directory; empty files, modes.
# rsync's rule: "tree/" is its contents, so a/b/t is the tree.
dr -i "$FX_DIR/inv.yml" push -r --mkdir all "$L/tree/" "$D/a/b/t"
fx_assert_eq 0 "$FX_RC"
for h in $HOSTS; do
	fx_assert_eq "$D/a/b/t
$D/a/b/t/one
$D/a/b/t/sub
$D/a/b/t/sub/deeper
$D/a/b/t/sub/deeper/x
$D/a/b/t/sub/empty" "$(fx_in "$h" find "$D/a/b/t" | sort)" "$h tree"
	fx_assert_eq 751 "$(fx_in "$h" stat -c %a "$D/a/b/t/one")"
done
check_all "$L/tree/sub/deeper/x" "$D/a/b/t/sub/deeper/x"
# The same push again nests nothing (and with --checksum, as the README's
# release example, changes nothing).
dr -i "$FX_DIR/inv.yml" push -r --mkdir --checksum all "$L/tree/" "$D/a/b/t"
fx_assert_eq 0 "$FX_RC"
fx_assert_eq 3 "$(printf '%s\n' "$FX_OUT" | grep -c ': unchanged$')" \
    "a rerun of the push changes nothing"
for h in $HOSTS; do
	fx_assert_eq 6 "$(fx_in "$h" find "$D/a/b/t" | wc -l)" \
	    "$h: nothing nested"
done
# "tree" without the '/' goes into DEST, as rsync: a/b/t/tree, also when
# DEST is missing (with --mkdir), and again changes nothing.
dr -i "$FX_DIR/inv.yml" push -r all "$L/tree" "$D/a/b/t"
fx_assert_eq 0 "$FX_RC"
check_all "$L/tree/one" "$D/a/b/t/tree/one"
dr -i "$FX_DIR/inv.yml" push -r --checksum all "$L/tree" "$D/a/b/t"
fx_assert_eq 3 "$(printf '%s\n' "$FX_OUT" | grep -c ': unchanged$')"
dr -i "$FX_DIR/inv.yml" push -r all "$L/tree" "$D/new"
fx_assert_eq 1 "$FX_RC" "a directory goes into DEST: DEST must exist"
dr_summary failed 'd1,s\[1-2\]' \
    "$D/new: no such directory \\(use --mkdir\\)\$"
dr -i "$FX_DIR/inv.yml" push -r --mkdir all "$L/tree" "$D/new"
fx_assert_eq 0 "$FX_RC"
check_all "$L/tree/one" "$D/new/tree/one"

# Usage and per-host errors.
dr -i "$FX_DIR/inv.yml" push all "$L/tree" "$D/"
fx_assert_eq 2 "$FX_RC" "a directory without -r"
fx_assert_match 'is a directory \(use -r\)' "$FX_ERR"
dr -i "$FX_DIR/inv.yml" push all "$L/small" "$L/empty" "$D/nodir"
fx_assert_eq 1 "$FX_RC" "several sources into a missing directory"
dr_summary failed 'd1,s\[1-2\]' \
    "$D/nodir: no such directory \\(use --mkdir\\)\$"

# JSON: one object per host with the transfer fields.
dr -i "$FX_DIR/inv.yml" --json push all "$L/empty" "$D/"
fx_assert_eq 0 "$FX_RC"
fx_assert_eq 3 "$(printf '%s\n' "$FX_OUT" | grep -c '^{')" "JSON lines"
fx_assert_match '"host":"d1","status":"ok".*"changed":true,"files":1,' \
    "$FX_OUT"
fx_assert_match '"host":"d1".*"unchanged_files":0,"bytes":0}$' "$FX_OUT"

# As root (sshd: dropbear reads root's own authorized_keys, left alone):
# numeric --owner and --group; one alone keeps the other.
fx_inventory_each root s1 >"$FX_DIR/root.yml"
dr -i "$FX_DIR/root.yml" push --owner 1234 --group 2345 all "$L/small" \
    "$D/owned"
fx_assert_eq 0 "$FX_RC"
fx_assert_eq 1234:2345 "$(fx_in s1 stat -c %u:%g "$D/owned")" "--owner/--group"
dr -i "$FX_DIR/root.yml" push --group 3456 s1 "$L/small" "$D/owned2"
fx_assert_eq 0:3456 "$(fx_in s1 stat -c %u:%g "$D/owned2")" "--group alone"
