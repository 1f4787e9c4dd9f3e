#!/bin/sh
# t-hosts-twice.sh: in host lists (-H, plain host files) the same name with
# another port or user is another host, named by what differs (two sshds
# on one address: "127.0.0.1" and "127.0.0.1:PORT2"; two users: "127.0.0.1"
# and "root@127.0.0.1"); the same entry twice runs once, with a note; an
# entry that cannot be told apart is an error naming it.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
fx_sshd s2
fx_known_hosts s1 s2 >"$HOME/.ssh/known_hosts"
U=$FX_USER
P1=$FX_PORT_s1
P2=$FX_PORT_s2
say='echo "$(id -un) ${SSH_CONNECTION##* }"'

# Two sshds on one address: two hosts.
dr --key "$FX_KEY" --no-history -H "$U@127.0.0.1:$P1,$U@127.0.0.1:$P2" \
    run all "$say"
fx_assert_eq 0 "$FX_RC"
fx_assert_eq "127.0.0.1:       $U $P1
127.0.0.1:$P2: $U $P2" "$(printf '%s\n' "$FX_OUT" | sort)" \
    "both servers ran, each named apart"

# Two users on one host: two hosts; the same in a host-list file.
printf '%s\n' "$U@127.0.0.1:$P1" "root@127.0.0.1:$P1" >"$FX_DIR/hosts"
for src in "-H $U@127.0.0.1:$P1,root@127.0.0.1:$P1" "-i $FX_DIR/hosts"; do
	# shellcheck disable=SC2086
	dr --key "$FX_KEY" --no-history $src run all "$say"
	fx_assert_eq 0 "$FX_RC" "$src"
	fx_assert_eq "127.0.0.1:      $U $P1
root@127.0.0.1: root $P1" "$(printf '%s\n' "$FX_OUT" | sort)" "$src: both users ran"
done

# The same entry twice (also across two -H): once, with a note.
dr --key "$FX_KEY" --no-history -H "$U@127.0.0.1:$P1,$U@127.0.0.1:$P1" \
    -H "$U@127.0.0.1:$P1" run all "$say"
fx_assert_eq 0 "$FX_RC"
fx_assert_eq "127.0.0.1: $U $P1" "$FX_OUT" "run once"
fx_assert_match '^drove: note: 127.0.0.1 and 1 more are given twice in the host lists: each runs once$' \
    "$FX_ERR"

# Another port with no port written: cannot be named apart.
dr --key "$FX_KEY" --no-history -H "127.0.0.1:$P2,127.0.0.1" run all true
fx_assert_eq 2 "$FX_RC"
fx_assert_match "'127.0.0.1' is given again with another user or port: give each its user@ and :port" \
    "$FX_ERR"
exit 0
