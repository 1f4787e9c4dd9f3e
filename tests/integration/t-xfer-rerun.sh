#!/bin/sh
# t-xfer-rerun.sh: "push --rerun ID --failed" and "pull --rerun ID
# --failed" redo a recorded transfer on exactly the hosts that failed, with
# the record's files and options (a name with a space and a quote survives
# the record); words given now replace the record's; a record of the
# other kind, --failed alone and a record with no failed host are refused
# or say so.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

DROVE_HOME=$FX_DIR/drove-home
export DROVE_HOME
fx_sshd_private s1
fx_sshd_private s2
fx_inventory_each "$FX_USER" s1 s2 >"$FX_DIR/inv.yml"
fx_known_hosts s1 s2 >>"$HOME/.ssh/known_hosts"
D=$FX_DATA
L=$FX_DIR/src
mkdir -p "$L"
printf 'new conf\n' >"$L/a b'c"
for h in s1 s2; do
	fx_in $h su -s /bin/sh "$FX_USER" -c "mkdir -p $D/in && echo '$h log' >$D/in/app.log"
done

# record 1: a push with --mkdir and --mode; s2 fails (a file where the
# directory goes)
fx_in s2 su -s /bin/sh "$FX_USER" -c ": >$D/etc"
dr -i "$FX_DIR/inv.yml" push --mkdir --mode 0640 all "$L/a b'c" "$D/etc/app/"
fx_assert_eq 1 "$FX_RC" "s2 fails"
dr_summary failed s2 ''

# record 2: --rerun 1 --failed, after the fix: only s2, with the record's
# file, destination, --mkdir and --mode
fx_in s2 rm -f "$D/etc"
dr -i "$FX_DIR/inv.yml" push --rerun 1 --failed
fx_assert_eq 0 "$FX_RC" "the rerun succeeds"
fx_assert_eq "s2: changed: 1 file, 9 bytes" "$FX_OUT" "only s2"
fx_assert_eq "640 new conf" "$(fx_in s2 sh -c "stat -c %a \"$D/etc/app/a b'c\"; cat \"$D/etc/app/a b'c\"" | tr '\n' ' ' | sed 's/ $//')"

# record 3: a rerun with words given now sends them instead
printf 'other\n' >"$FX_DIR/other"
dr -i "$FX_DIR/inv.yml" push --rerun 1 "$FX_DIR/other" "$D/etc/app/"
fx_assert_eq 0 "$FX_RC" "a rerun with new words"
fx_assert_eq "other" "$(fx_in s1 cat "$D/etc/app/other")"
fx_assert_eq "other" "$(fx_in s2 cat "$D/etc/app/other")"

# record 4: a pull --flat=prefix where s1 misses the file
fx_in s1 rm "$D/in/app.log"
dr -i "$FX_DIR/inv.yml" pull --flat=prefix all "$D/in/app.log" "$FX_DIR/out"
fx_assert_eq 1 "$FX_RC" "s1 fails"
fx_assert_eq "$FX_DIR/out/s2.app.log" "$(find "$FX_DIR/out" -type f)"

# record 5: --rerun 4 --failed pulls from s1 alone, in the record's layout
fx_in s1 su -s /bin/sh "$FX_USER" -c "echo 's1 log' >$D/in/app.log"
dr -i "$FX_DIR/inv.yml" pull --rerun 4 --failed
fx_assert_eq 0 "$FX_RC" "the pull rerun succeeds"
fx_assert_match '^s1: ' "$FX_OUT"
fx_assert_eq "s1 log" "$(cat "$FX_DIR/out/s1.app.log")"
dr -i "$FX_DIR/inv.yml" history show 5
fx_assert_match 's1 ' "$FX_OUT"

# the wrong kind, --failed alone, and nothing failed
dr -i "$FX_DIR/inv.yml" pull --rerun 1 --failed
fx_assert_eq 2 "$FX_RC"
fx_assert_match "run 1 was a 'push', not a 'pull'" "$FX_ERR"
dr -i "$FX_DIR/inv.yml" push --failed all "$L/a b'c" "$D/"
fx_assert_eq 2 "$FX_RC"
fx_assert_match -- '--failed without --rerun' "$FX_ERR"
dr -i "$FX_DIR/inv.yml" pull --failed all "$D/in/app.log" "$FX_DIR/out"
fx_assert_eq 2 "$FX_RC"
fx_assert_eq "drove pull: --failed without --rerun" \
    "$(printf '%s\n' "$FX_ERR" | head -n 1)"
dr -i "$FX_DIR/inv.yml" push --rerun 2 --failed
fx_assert_eq 0 "$FX_RC"
fx_assert_match 'had no failed hosts' "$FX_ERR"
