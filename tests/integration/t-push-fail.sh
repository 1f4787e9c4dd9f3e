#!/bin/sh
# t-push-fail.sh: drove push when one host fails and the others do not:
# the server's sftp-server killed mid-transfer (the old file intact, no
# temporary file left), a full disk, a directory the user may not write;
# the exit status is 1 and the failed host is named.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd_private ok1
fx_dropbear_private ok2
fx_sshd_private killed size=256m
fx_sshd_private full size=1m
fx_inventory_each "$FX_USER" ok1 ok2 killed full >"$FX_DIR/inv.yml"
fx_known_hosts ok1 ok2 killed full >>"$HOME/.ssh/known_hosts"
D=$FX_DATA

# The sha256 of PATH on host H, or "missing".
remote_sum()
{
	fx_in "$1" sh -c "sha256sum <'$2' 2>/dev/null || echo missing" |
	    cut -d' ' -f1
}

# Print the temporary files left in DIR on host H.
tmps()
{
	fx_in "$1" find "$2" -name '.*.drove-*'
}

# Print the PIDs of the sftp-server processes under server NAME.
sftp_pids()
{
	for _p in $(fx__tree "$(cat "$FX_DIR/$1/pid")"); do
		[ "$(cat "/proc/$_p/comm" 2>/dev/null)" = sftp-server ] &&
		    echo "$_p"
	done
}

L=$FX_DIR/src
mkdir -p "$L"
head -c 3000000 /dev/urandom >"$L/mid"
printf 'old\n' >"$L/old"
old=$(sha256sum <"$L/old" | cut -d' ' -f1)

# Disk full on one host: it fails, its old file stays, the others change.
for h in ok1 ok2 full; do
	fx_in "$h" sh -c "printf 'old\n' >$D/mid"
done
dr -i "$FX_DIR/inv.yml" push 'ok1,ok2,full' "$L/mid" "$D/mid"
fx_assert_eq 1 "$FX_RC" "exit status with one failed host"
dr_summary failed full "write $D/mid: " \
    "the message names the target, not the temporary file"
fx_assert_match '^ok1: +changed: 1 file, 3000000 bytes$' "$FX_OUT"
fx_assert_match '^ok2: +changed: 1 file, 3000000 bytes$' "$FX_OUT"
fx_assert_match '^3 hosts: 2 changed, 1 failed$' "$FX_ERR"
fx_assert_eq "$old" "$(remote_sum full "$D/mid")" "full disk: old file"
fx_assert_eq "" "$(tmps full "$D")" "full disk: temporary file removed"
fx_assert_eq "$(sha256sum <"$L/mid" | cut -d' ' -f1)" \
    "$(remote_sum ok2 "$D/mid")" "the others got the file"

# Permission denied on one host: a directory owned by root there only.
fx_in ok1 mkdir -m 755 "$D/etc"
fx_in ok1 chown "$FX_USER" "$D/etc"
fx_in ok2 mkdir -m 755 "$D/etc"
fx_in ok2 chown "$FX_USER" "$D/etc"
fx_in full mkdir -m 755 "$D/etc"
dr -i "$FX_DIR/inv.yml" push 'ok1,ok2,full' "$L/old" "$D/etc/"
fx_assert_eq 1 "$FX_RC"
dr_summary failed full "create $D/etc/old: permission denied\$"
fx_assert_eq "$old" "$(remote_sum ok1 "$D/etc/old")"
fx_assert_eq "$old" "$(remote_sum ok2 "$D/etc/old")"

# The sftp-server killed mid-transfer: the old target is intact and the
# temporary file is removed over a new SFTP channel (--timeout bounds the
# run, as in t-pull.sh).
head -c 200000000 /dev/zero >"$L/huge"
fx_in killed sh -c "printf 'old\n' >$D/huge"
"$DROVE" --no-agent -i "$FX_DIR/inv.yml" --timeout 120 push killed \
    "$L/huge" "$D/huge" \
    >"$FX_DIR/kill.out" 2>"$FX_DIR/kill.err" </dev/null &
drove_pid=$!
# Wait inside the namespace, where a check costs no process start.
timeout 60 nsenter -t "$(cat "$FX_DIR/killed/pid")" -m -r --wd=/ -- sh -c \
    "until ls -a '$D' | grep -q '^\.huge\.drove-'; do :; done" ||
    fx_fail "no temporary file appeared"
pids=$(sftp_pids killed)
[ -n "$pids" ] || fx_fail "no sftp-server to kill"
# shellcheck disable=SC2086
kill -KILL $pids
rc=0
wait $drove_pid || rc=$?
cat "$FX_DIR/kill.out" "$FX_DIR/kill.err" >&2
fx_assert_eq 1 "$rc" "exit status after the kill"
fx_assert_match '^failed \(1\): killed: .*/huge: the sftp server went away$' \
    "$(cat "$FX_DIR/kill.err")"
fx_assert_eq "$old" "$(remote_sum killed "$D/huge")" "old file intact"
fx_assert_eq "" "$(tmps killed "$D")" "temporary file removed"
