#!/bin/sh
# t-hostkey-port.sh: a host on a port other than 22 is looked up in
# known_hosts as OpenSSH does: its "[host]:port" entries decide; when it has
# none, a plain "host" entry (the port-22 server's) vouches for the same key
# but another key there is no change, only an unknown key; the advice never
# tells the user to remove the plain entry.  ssh(1) is the oracle for each
# verdict.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
fx_sshd s2
printf 'all:\n  hosts:\n    web1: { ansible_host: 127.0.0.1, ansible_port: %s, ansible_user: root, key: %s }\n' \
    "$FX_PORT_s1" "$FX_KEY" >"$FX_DIR/inv.yml"

# ssh's verdict on FILE for s1: 0 when it trusts the key, else 255.
ssh_verdict()
{
	_rc=0
	ssh -F none -o BatchMode=yes -o StrictHostKeyChecking=yes \
	    -o UserKnownHostsFile="$1" -o GlobalKnownHostsFile=/dev/null \
	    -o IdentitiesOnly=yes -i "$FX_KEY" -p "$FX_PORT_s1" \
	    root@127.0.0.1 true </dev/null >/dev/null 2>&1 || _rc=$?
	echo "$_rc"
}

# Another key recorded for the plain host (its port 22): not a change.
fx_known_hosts s2 | sed 's/^\[127.0.0.1\]:[0-9]* /127.0.0.1 /' \
    >"$FX_DIR/kh-plain-other"
cp "$FX_DIR/kh-plain-other" "$FX_DIR/kh-plain-other.orig"
fx_assert_eq 255 "$(ssh_verdict "$FX_DIR/kh-plain-other")" \
    "ssh does not trust s1 from a plain entry"
dr -i "$FX_DIR/inv.yml" --known-hosts "$FX_DIR/kh-plain-other" run all true
fx_assert_eq 3 "$FX_RC" "strict fails on an unknown key"
fx_assert_match "host key for \[127.0.0.1\]:$FX_PORT_s1 is unknown" "$FX_ERR" \
    "unknown, not changed"
fx_assert_no_match "has changed" "$FX_ERR"
fx_assert_no_match "ssh-keygen -R '?127.0.0.1'? " "$FX_ERR" \
    "never advise removing the plain host's key"
dr -i "$FX_DIR/inv.yml" --known-hosts "$FX_DIR/kh-plain-other" \
    --host-key-check accept-new run all 'echo added'
fx_assert_eq "0 web1: added" "$FX_RC $FX_OUT" "accept-new adds [host]:port"
fx_assert_eq 0 "$(ssh_verdict "$FX_DIR/kh-plain-other")" \
    "ssh trusts the entry drove added"
fx_assert_eq "$(cat "$FX_DIR/kh-plain-other.orig")" \
    "$(grep -v '^\[' "$FX_DIR/kh-plain-other")" "the plain entry is kept"

# s1's own key recorded for the plain host only: it vouches, as for ssh.
fx_known_hosts s1 | sed 's/^\[127.0.0.1\]:[0-9]* /127.0.0.1 /' \
    >"$FX_DIR/kh-plain-same"
fx_assert_eq 0 "$(ssh_verdict "$FX_DIR/kh-plain-same")" \
    "ssh accepts the plain entry's matching key"
dr -i "$FX_DIR/inv.yml" --known-hosts "$FX_DIR/kh-plain-same" run all 'echo plain'
fx_assert_eq "0 web1: plain" "$FX_RC $FX_OUT" "so does drove"
ssh-keygen -q -H -f "$FX_DIR/kh-plain-same" >/dev/null 2>&1
dr -i "$FX_DIR/inv.yml" --known-hosts "$FX_DIR/kh-plain-same" run all 'echo hashed'
fx_assert_eq "0 web1: hashed" "$FX_RC $FX_OUT" "hashed, too"

# ... but not over a [host]:port entry with another key: that is a change.
fx_known_hosts s2 | sed "s/:$FX_PORT_s2 /:$FX_PORT_s1 /" >"$FX_DIR/kh-both"
fx_known_hosts s1 | sed 's/^\[127.0.0.1\]:[0-9]* /127.0.0.1 /' \
    >>"$FX_DIR/kh-both"
fx_assert_eq 255 "$(ssh_verdict "$FX_DIR/kh-both")" "ssh sees a change"
dr -i "$FX_DIR/inv.yml" --known-hosts "$FX_DIR/kh-both" run all true
fx_assert_eq 3 "$FX_RC" "the [host]:port entry decides"
fx_assert_match "has changed" "$FX_ERR"

# A changed key under [host]:port, another under the plain host: the
# advice names [host]:port.
fx_known_hosts s2 | sed "s/:$FX_PORT_s2 /:$FX_PORT_s1 /" >"$FX_DIR/kh-changed"
fx_known_hosts s2 | sed 's/^\[127.0.0.1\]:[0-9]* /127.0.0.1 /' \
    >>"$FX_DIR/kh-changed"
fx_assert_eq 255 "$(ssh_verdict "$FX_DIR/kh-changed")" "ssh sees a change"
dr -i "$FX_DIR/inv.yml" --known-hosts "$FX_DIR/kh-changed" run all true
fx_assert_eq 3 "$FX_RC"
fx_assert_match "has changed" "$FX_ERR"
fx_assert_match "ssh-keygen -R '\[127.0.0.1\]:$FX_PORT_s1'" "$FX_ERR" \
    "the advice removes [host]:port"

# Both entries right: trusted, as ssh does.
fx_known_hosts s1 >"$FX_DIR/kh-good"
fx_known_hosts s2 | sed 's/^\[127.0.0.1\]:[0-9]* /127.0.0.1 /' \
    >>"$FX_DIR/kh-good"
fx_assert_eq 0 "$(ssh_verdict "$FX_DIR/kh-good")" "ssh trusts s1"
dr -i "$FX_DIR/inv.yml" --known-hosts "$FX_DIR/kh-good" run all 'echo ok'
fx_assert_eq "0 web1: ok" "$FX_RC $FX_OUT" "drove trusts s1"
