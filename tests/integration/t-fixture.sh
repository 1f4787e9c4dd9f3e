#!/bin/sh
# t-fixture.sh: proves the fixture library with OpenSSH's and dropbear's own
# clients: keys, known_hosts (plain and hashed), RSA-only servers, sftp,
# passwords through SSH_ASKPASS, dropbear, the inventory, the silent listener,
# the closed port and the cleanup on exit and on TERM.
. tests/fixtures/lib.sh

fx_init
fx_sshd s1
fx_sshd s2 maxstartups=3 maxsessions=2
fx_sshd r1 hostkeys=rsa
fx_sshd p1 UsePAM=yes
fx_user
fx_dropbear d1
fx_known_hosts s1 s2 r1 p1 d1 >"$FX_DIR/kh"

# Log in with OpenSSH's ssh, strict host key checking, no prompts.
ossh()
{
	fx_run ssh -o UserKnownHostsFile="$FX_DIR/kh" -o GlobalKnownHostsFile=none \
	    -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes \
	    -F none "$@"
}

# Log in with a password (or passphrase) answered by SSH_ASKPASS.
askpass_ssh()
{
	secret=$1
	shift
	fx_run env SSH_ASKPASS="$FX_DIR/askpass" SSH_ASKPASS_REQUIRE=force \
	    FX_SECRET="$secret" ssh -o UserKnownHostsFile="$FX_DIR/kh" \
	    -o GlobalKnownHostsFile=none -o StrictHostKeyChecking=yes \
	    -o NumberOfPasswordPrompts=1 -F none "$@"
}
printf '#!/bin/sh\nprintf "%%s\\n" "$FX_SECRET"\n' >"$FX_DIR/askpass"
chmod 755 "$FX_DIR/askpass"

# Every client key type logs in as root.
for k in "$FX_KEY" "$FX_KEY_ECDSA" "$FX_KEY_RSA"; do
	ossh -i "$k" -p "$FX_PORT_s1" root@127.0.0.1 'echo hello; id -un'
	fx_assert_eq 0 "$FX_RC" "ssh -i $k"
	fx_assert_eq "hello
root" "$FX_OUT" "output of ssh -i $k"
done

# The encrypted key needs its passphrase: refused without, accepted with.
fx_run ssh-keygen -y -P '' -f "$FX_KEY_ENC"
[ "$FX_RC" -ne 0 ] || fx_fail "FX_KEY_ENC opens without a passphrase"
askpass_ssh "$FX_PASSPHRASE" -i "$FX_KEY_ENC" -o IdentitiesOnly=yes \
    -o PreferredAuthentications=publickey -p "$FX_PORT_s1" root@127.0.0.1 \
    'id -un'
fx_assert_eq "0 root" "$FX_RC $FX_OUT" "login with the encrypted key"

# Strict checking: each server has its own host keys, hashed lines work.
fx_known_hosts s2 | sed "s/:$FX_PORT_s2 /:$FX_PORT_s1 /" >"$FX_DIR/kh-wrong"
fx_run ssh -F none -o UserKnownHostsFile="$FX_DIR/kh-wrong" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -i "$FX_KEY" \
    -p "$FX_PORT_s1" root@127.0.0.1 true
[ "$FX_RC" -ne 0 ] || fx_fail "ssh accepted another server's host key"
fx_assert_match 'IDENTIFICATION HAS CHANGED' "$FX_ERR" "mismatch message"
fx_known_hosts_hashed s1 >"$FX_DIR/kh-hashed"
fx_assert_match '^\|1\|' "$(cat "$FX_DIR/kh-hashed")" "hashed lines"
fx_assert_no_match '127\.0\.0\.1' "$(cat "$FX_DIR/kh-hashed")" "hashed lines"
fx_run ssh -F none -o UserKnownHostsFile="$FX_DIR/kh-hashed" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -i "$FX_KEY" \
    -p "$FX_PORT_s1" root@127.0.0.1 true
fx_assert_eq 0 "$FX_RC" "login with hashed known_hosts"

# Options reach sshd_config; the server still serves.
fx_assert_match '^MaxStartups 3$' "$(cat "$FX_DIR/s2/sshd_config")"
fx_assert_match '^MaxSessions 2$' "$(cat "$FX_DIR/s2/sshd_config")"
ossh -i "$FX_KEY" -p "$FX_PORT_s2" root@127.0.0.1 true
fx_assert_eq 0 "$FX_RC" "login to s2"

# The RSA-only server offers no ed25519 host key, and serves with RSA.
fx_assert_eq "$FX_DIR/r1/hostkey_rsa.pub" "$FX_HOSTKEY_r1" "FX_HOSTKEY_r1"
ossh -i "$FX_KEY" -o HostKeyAlgorithms=ssh-ed25519 -p "$FX_PORT_r1" \
    root@127.0.0.1 true
[ "$FX_RC" -ne 0 ] || fx_fail "RSA-only server offered ed25519"
fx_assert_match 'no matching host key type' "$FX_ERR"
ossh -i "$FX_KEY" -p "$FX_PORT_r1" root@127.0.0.1 true
fx_assert_eq 0 "$FX_RC" "login to the RSA-only server"

# sftp through the internal-sftp subsystem.
echo "payload $$" >"$FX_DIR/up"
printf 'put %s %s\nget %s %s\n' "$FX_DIR/up" "$FX_DIR/remote" \
    "$FX_DIR/remote" "$FX_DIR/down" >"$FX_DIR/batch"
fx_run sftp -F none -o UserKnownHostsFile="$FX_DIR/kh" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -i "$FX_KEY" \
    -P "$FX_PORT_s1" -b "$FX_DIR/batch" root@127.0.0.1
fx_assert_eq 0 "$FX_RC" "sftp"
fx_assert_eq "payload $$" "$(cat "$FX_DIR/down")" "sftp round trip"

# Passwords as the test user: right one accepted, wrong one refused.
askpass_ssh "$FX_PASSWORD" -o PreferredAuthentications=password \
    -p "$FX_PORT_s1" "$FX_USER@127.0.0.1" 'id -un'
fx_assert_eq "0 drovetest" "$FX_RC $FX_OUT" "password login"
askpass_ssh "wrong$FX_PASSWORD" -o PreferredAuthentications=password \
    -p "$FX_PORT_s1" "$FX_USER@127.0.0.1" 'id -un'
[ "$FX_RC" -ne 0 ] || fx_fail "wrong password accepted"
fx_assert_match 'Permission denied' "$FX_ERR"

# Keyboard-interactive needs UsePAM=yes.
askpass_ssh "$FX_PASSWORD" -o PreferredAuthentications=keyboard-interactive \
    -p "$FX_PORT_p1" "$FX_USER@127.0.0.1" 'id -un'
fx_assert_eq "0 drovetest" "$FX_RC $FX_OUT" "keyboard-interactive login"

# Dropbear: keys and password as the test user, OpenSSH and dropbear clients.
ossh -i "$FX_KEY" -p "$FX_PORT_d1" "$FX_USER@127.0.0.1" 'id -un'
fx_assert_eq "0 drovetest" "$FX_RC $FX_OUT" "ssh key login to dropbear"
askpass_ssh "$FX_PASSWORD" -o PreferredAuthentications=password \
    -p "$FX_PORT_d1" "$FX_USER@127.0.0.1" 'id -un'
fx_assert_eq "0 drovetest" "$FX_RC $FX_OUT" "password login to dropbear"
# dbclient reads its own key format.  Each server gets a home of its own:
# Debian 13's dbclient took the second server's key on 127.0.0.1 for a
# changed key of the first ("host key mismatch for 127.0.0.1").
fx_run dropbearconvert openssh dropbear "$FX_KEY" "$FX_DIR/key.db"
fx_assert_eq 0 "$FX_RC" "dropbearconvert"
for port in "$FX_PORT_d1" "$FX_PORT_s1"; do
	mkdir -p "$FX_DIR/dbhome-$port/.ssh"
	fx_run env HOME="$FX_DIR/dbhome-$port" dbclient -y -i "$FX_DIR/key.db" \
	    -p "$port" "$FX_USER@127.0.0.1" 'id -un'
	fx_assert_eq "0 drovetest" "$FX_RC $FX_OUT" "dbclient to port $port"
done

# The inventory: COUNT hosts split in order into the groups.
fx_inventory web 300 s1 front,back >"$FX_DIR/inv.yml"
inv=$(cat "$FX_DIR/inv.yml")
fx_assert_eq 300 "$(grep -c "ansible_port: $FX_PORT_s1\$" "$FX_DIR/inv.yml")"
fx_assert_eq 300 "$(grep -c '^        web[0-9][0-9][0-9][0-9]:$' \
    "$FX_DIR/inv.yml")" "host names"
fx_assert_match '^    front:$' "$inv"
fx_assert_eq "        web0151:" "$(sed -n '/^    back:/{n;n;p;}' \
    "$FX_DIR/inv.yml")" "first host of the second group"
fx_assert_match "^    ansible_ssh_private_key_file: $FX_KEY\$" "$inv"

# The silent listener times a client out; the closed port refuses.
fx_silent
ossh -i "$FX_KEY" -o ConnectTimeout=1 -p "$FX_SILENT_PORT" root@127.0.0.1 true
[ "$FX_RC" -ne 0 ] || fx_fail "ssh to the silent listener succeeded"
fx_assert_match 'timed out' "$FX_ERR" "silent listener"
closed=$(fx_closed_port)
ossh -i "$FX_KEY" -p "$closed" root@127.0.0.1 true
[ "$FX_RC" -ne 0 ] || fx_fail "ssh to the closed port succeeded"
fx_assert_match 'Connection refused' "$FX_ERR" "closed port"

# A port taken between the pick and the bind makes a server retry another.
for kind in sshd dropbear; do
	free=$(fx_closed_port)
	(
		fx__pick_port()
		{
			if [ -e "$FX_DIR/picked-$kind" ]; then
				echo "$free"
			else
				: >"$FX_DIR/picked-$kind"
				echo "$FX_SILENT_PORT"
			fi
		}
		"fx_$kind" "retry_$kind" hostkeys=ed25519
		eval "port=\$FX_PORT_retry_$kind"
		fx_assert_eq "$free" "$port" "port of $kind after a retry"
		fx_assert_match "port $FX_SILENT_PORT taken, retrying" \
		    "$(cat "$FX_DIR/retry.err")" "$kind retry message"
	) 2>"$FX_DIR/retry.err" || fx_fail "$(cat "$FX_DIR/retry.err")"
done

# Cleanup: on a normal exit, and on TERM while waiting.
for how in exit term; do
	cat >"$FX_DIR/child.sh" <<EOF
. tests/fixtures/lib.sh
fx_init
fx_sshd c
fx_user
if [ $how = term ]; then
	sleep 60 &
	fx_track \$!
fi
echo "\$FX_DIR \$FX_PID_c \$!" >"$FX_DIR/child.$how"
[ $how = exit ] && exit 0
wait \$!
EOF
	sh "$FX_DIR/child.sh" &
	child=$!
	n=0
	while ! [ -s "$FX_DIR/child.$how" ] && [ $n -lt 1000 ]; do
		sleep 0.01
		n=$((n + 1))
	done
	[ $how = term ] && kill -TERM "$child"
	wait "$child"
	read -r cdir cpid cbg <"$FX_DIR/child.$how"
	[ -n "$cpid" ] || fx_fail "child fixture did not start ($how)"
	[ -e "$cdir" ] && fx_fail "fixture dir $cdir left after $how"
	fx__alive "$cpid" && fx_fail "sshd $cpid left running after $how"
	[ $how = term ] && fx__alive "$cbg" &&
	    fx_fail "tracked process $cbg left running after $how"
	fx_assert_no_match "drove-fx:$cdir\$" \
	    "$(cat "$FX_USER_HOME/.ssh/authorized_keys")" "keys left ($how)"
done
exit 0
