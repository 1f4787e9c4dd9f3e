#!/bin/sh
# t-pull.sh: drove pull from hosts whose files differ (OpenSSH and
# dropbear): files and trees into LOCALDIR/HOST, --flat layouts, a host
# missing the file, and what must be refused: symbolic links in listings,
# unsafe names, a path with no file name, a local symbolic link in the way,
# and a partial download under its final name.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd_private s1 size=256m
fx_sshd_private s2
fx_dropbear_private d1
fx_inventory_each "$FX_USER" s1 s2 d1 >"$FX_DIR/inv.yml"
fx_known_hosts s1 s2 d1 >>"$HOME/.ssh/known_hosts"
HOSTS="s1 s2 d1"
D=$FX_DATA
OUT=$FX_DIR/out

# Each host gets its own log and tree; d1's is large.
for h in $HOSTS; do
	fx_in "$h" su -s /bin/sh "$FX_USER" -c "
	    echo 'log of $h' >$D/app.log
	    mkdir -p $D/tree/sub && echo '$h sub' >$D/tree/sub/f &&
	    : >$D/tree/empty && ln -s /etc $D/tree/etc-link &&
	    ln -s /etc/passwd $D/tree/passwd-link"
done
fx_in d1 su -s /bin/sh "$FX_USER" -c "head -c 30000000 /dev/urandom >$D/app.log"

# Files into OUT/HOST/NAME, each host's own bytes.
dr -i "$FX_DIR/inv.yml" pull all "$D/app.log" "$OUT"
fx_assert_eq 0 "$FX_RC" "pull exit status"
fx_assert_match '^3 hosts: 3 changed$' "$FX_ERR"
fx_assert_eq "log of s1" "$(cat "$OUT/s1/app.log")" "s1's own file"
fx_assert_eq "log of s2" "$(cat "$OUT/s2/app.log")" "s2's own file"
fx_assert_eq "$(fx_in d1 sha256sum "$D/app.log" | cut -d' ' -f1)" \
    "$(sha256sum <"$OUT/d1/app.log" | cut -d' ' -f1)" "d1's large file"
fx_assert_eq "" "$(find "$OUT" -name '.*drove-*')" "no temporary files"

# Trees with -r: symbolic links in the listing are refused, not followed.
dr -i "$FX_DIR/inv.yml" pull -r all "$D/tree" "$OUT"
fx_assert_eq 0 "$FX_RC"
fx_assert_match '^s2: +warning: refused symbolic link .*/tree/etc-link$' \
    "$FX_ERR"
for h in $HOSTS; do
	fx_assert_eq "$OUT/$h/tree
$OUT/$h/tree/empty
$OUT/$h/tree/sub
$OUT/$h/tree/sub/f" "$(find "$OUT/$h/tree" | sort)" "$h tree, no links"
	fx_assert_eq "$h sub" "$(cat "$OUT/$h/tree/sub/f")"
done

# Flat layouts.
dr -i "$FX_DIR/inv.yml" pull --flat all "$D/app.log" "$FX_DIR/flat"
fx_assert_eq 0 "$FX_RC"
fx_assert_eq "log of s2" "$(cat "$FX_DIR/flat/app.log.s2")" "--flat suffix"
dr -i "$FX_DIR/inv.yml" pull --flat=prefix s1 "$D/app.log" "$FX_DIR/flat"
fx_assert_eq "log of s1" "$(cat "$FX_DIR/flat/s1.app.log")" "--flat=prefix"

# A host without the file fails alone.
fx_in s2 rm "$D/app.log"
dr -i "$FX_DIR/inv.yml" pull all "$D/app.log" "$FX_DIR/miss"
fx_assert_eq 1 "$FX_RC"
dr_summary failed s2 'stat .*/app.log: no such file or directory$'
fx_assert_eq "log of s1" "$(cat "$FX_DIR/miss/s1/app.log")"
[ -e "$FX_DIR/miss/s2/app.log" ] && fx_fail "s2 has no such file"

# Paths that would leave OUT: no file name, unsafe names in a listing.
dr -i "$FX_DIR/inv.yml" pull s1 "$D/.." "$FX_DIR/esc"
fx_assert_eq 1 "$FX_RC"
fx_assert_match 'no safe file name' "$FX_ERR"
fx_in s1 su -s /bin/sh "$FX_USER" -c "mkdir $D/odd && touch '$D/odd/a
b' $D/odd/ok"
dr -i "$FX_DIR/inv.yml" pull -r s1 "$D/odd" "$FX_DIR/esc"
fx_assert_eq 0 "$FX_RC"
fx_assert_match '^s1: warning: refused unsafe name .*/odd/a\?b$' "$FX_ERR"
fx_assert_eq "$FX_DIR/esc/s1/odd/ok" "$(find "$FX_DIR/esc/s1/odd" -type f)"

# A local symbolic link where a host's directory goes is not followed.
mkdir -p "$FX_DIR/trap" "$FX_DIR/elsewhere"
ln -s "$FX_DIR/elsewhere" "$FX_DIR/trap/s1"
dr -i "$FX_DIR/inv.yml" pull s1 "$D/tree/sub/f" "$FX_DIR/trap"
fx_assert_eq 1 "$FX_RC"
fx_assert_match 'symbolic link' "$FX_ERR"
fx_assert_eq "" "$(ls -A "$FX_DIR/elsewhere")" "nothing written through it"

# The sftp-server killed mid-download: no file under its final name (and
# none half-written under a temporary one).  --timeout is only a backstop
# for a failure to notice the death (t-sftp-broken covers the ways).
fx_in s1 su -s /bin/sh "$FX_USER" -c "head -c 200000000 /dev/zero >$D/huge"
"$DROVE" --no-agent -i "$FX_DIR/inv.yml" --timeout 120 pull s1 "$D/huge" \
    "$FX_DIR/part" \
    >"$FX_DIR/kill.out" 2>"$FX_DIR/kill.err" </dev/null &
drove_pid=$!
timeout 60 sh -c "until ls -A '$FX_DIR/part/s1' 2>/dev/null |
    grep -q drove-; do :; done" || fx_fail "no temporary file appeared"
for p in $(fx__tree "$(cat "$FX_DIR/s1/pid")"); do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = sftp-server ] &&
	    kill -KILL "$p"
done
rc=0
wait $drove_pid || rc=$?
cat "$FX_DIR/kill.out" "$FX_DIR/kill.err" >&2
fx_assert_eq 1 "$rc" "exit status after the kill"
fx_assert_eq "" "$(ls -A "$FX_DIR/part/s1")" "no partial file left"
