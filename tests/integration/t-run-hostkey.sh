#!/bin/sh
# t-run-hostkey.sh: the host key policies against known_hosts files: strict
# (unknown fails and says how to accept), accept-new (appends once, hashed
# when the file is hashed, then strict passes), off (warns), and a changed key
# that fails under every policy but off.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
fx_sshd s2
kh=$FX_DIR/kh
inv()
{
	printf 'all:\n  hosts:\n    web1: { ansible_host: 127.0.0.1, ansible_port: %s, ansible_user: %s, key: %s }\n' \
	    "$1" "$FX_USER" "$FX_KEY" >"$FX_DIR/inv.yml"
}
inv "$FX_PORT_s1"
fp=$(ssh-keygen -lf "$FX_HOSTKEY_s1" | cut -d' ' -f2 | sed 's/[+/]/\\&/g')

# strict, unknown host: fails with the fingerprint and the remedy.
: >"$kh"
dr -i "$FX_DIR/inv.yml" --known-hosts "$kh" run all true
fx_assert_eq 3 "$FX_RC" "strict rejects an unknown key"
dr_summary hostkey web1 "host key for \[127.0.0.1\]:$FX_PORT_s1 is unknown: ssh-ed25519 $fp"
fx_assert_match "accept-new" "$FX_ERR" "says how to accept"
fx_assert_eq 0 "$(wc -c <"$kh")" "strict leaves known_hosts alone"

# accept-new: added once, then strict accepts it.
dr -i "$FX_DIR/inv.yml" --known-hosts "$kh" --host-key-check accept-new run all 'echo in'
fx_assert_eq 0 "$FX_RC" "accept-new lets an unknown key in"
fx_assert_match '^web1: in$' "$FX_OUT"
fx_assert_match "web1: warning: added .*$fp" "$FX_ERR"
fx_assert_eq 1 "$(grep -c "^\[127.0.0.1\]:$FX_PORT_s1 ssh-ed25519 " "$kh")" \
    "one plain line added"
dr -i "$FX_DIR/inv.yml" --known-hosts "$kh" run all 'echo again'
fx_assert_eq 0 "$FX_RC" "strict accepts the added key"
fx_run ssh-keygen -F "[127.0.0.1]:$FX_PORT_s1" -f "$kh"
fx_assert_eq 0 "$FX_RC" "ssh-keygen finds the added entry"

# accept-new into a hashed file adds a hashed line.
fx_known_hosts_hashed s2 >"$FX_DIR/kh-hashed"
inv "$FX_PORT_s1"
dr -i "$FX_DIR/inv.yml" --known-hosts "$FX_DIR/kh-hashed" --host-key-check accept-new run all true
fx_assert_eq 0 "$FX_RC"
fx_assert_eq 0 "$(grep -vc '^|1|' "$FX_DIR/kh-hashed")" "every line hashed"
fx_run ssh-keygen -F "[127.0.0.1]:$FX_PORT_s1" -f "$FX_DIR/kh-hashed"
fx_assert_eq 0 "$FX_RC" "the hashed line matches the host"

# A changed key: s2's key recorded for s1's address.
fx_known_hosts s2 | sed "s/:$FX_PORT_s2 /:$FX_PORT_s1 /" >"$FX_DIR/kh-changed"
for policy in strict accept-new; do
	dr -i "$FX_DIR/inv.yml" --known-hosts "$FX_DIR/kh-changed" \
	    --host-key-check $policy run all true
	fx_assert_eq 3 "$FX_RC" "changed key fails under $policy"
	dr_summary hostkey web1 "host key for \[127.0.0.1\]:$FX_PORT_s1 has changed"
	fx_assert_match "kh-changed:1" "$FX_ERR" "names the file and line"
done
dr -i "$FX_DIR/inv.yml" --known-hosts "$FX_DIR/kh-changed" --host-key-check off run all 'echo off'
fx_assert_eq 0 "$FX_RC" "off lets a changed key through"
fx_assert_match '^web1: off$' "$FX_OUT"
fx_assert_match 'web1: warning: .*changed' "$FX_ERR"

# off with an unknown key warns and runs, and adds nothing.
: >"$kh"
dr -i "$FX_DIR/inv.yml" --known-hosts "$kh" --host-key-check off run all true
fx_assert_eq 0 "$FX_RC"
fx_assert_match 'web1: warning: ' "$FX_ERR"
fx_assert_eq 0 "$(wc -c <"$kh")" "off adds nothing"

# The default file is ~/.ssh/known_hosts.
fx_known_hosts s1 >"$HOME/.ssh/known_hosts"
dr -i "$FX_DIR/inv.yml" run all true
fx_assert_eq 0 "$FX_RC" "default known_hosts used"
