#!/bin/sh
# t-run-ask.sh: --host-key-check ask (the default on a terminal) through a
# real terminal: hosts with unknown keys are held, ONE question lists them
# grouped by key, and all / none / review one by one decide; accepted keys
# are added to known_hosts (hashed, as the file is) and the hosts go on.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
fx_sshd s2
fx_sshd s3
kh=$FX_DIR/kh
cat >"$FX_DIR/inv.yml" <<YML
all:
  vars: { ansible_user: $FX_USER, ansible_host: 127.0.0.1, key: $FX_KEY }
  hosts:
    a1: { ansible_port: $FX_PORT_s1 }
    a2: { ansible_port: $FX_PORT_s1 }
    a3: { ansible_port: $FX_PORT_s1 }
    b1: { ansible_port: $FX_PORT_s2 }
    b2: { ansible_port: $FX_PORT_s2 }
    k1: { ansible_port: $FX_PORT_s3 }
YML
run="TERM=dumb '$DROVE' --no-agent -i '$FX_DIR/inv.yml' --known-hosts '$kh' --color never run all 'echo ran'"
question='^Accept and add them to known_hosts\? \[a\]ll, \[n\]one, \[r\]eview'
fp1=$(ssh-keygen -lf "$FX_HOSTKEY_s1" | cut -d' ' -f2)
fp2=$(ssh-keygen -lf "$FX_HOSTKEY_s2" | cut -d' ' -f2)

# All: one question, two keys, both added (hashed), every host runs.
fx_known_hosts_hashed s3 >"$kh"
base=$(wc -l <"$kh")
dr_pty "$run" "$question" a
fx_assert_eq 0 "$FX_RC" "accept all"
fx_assert_eq 1 "$(printf '%s\n' "$FX_OUT" | grep -c 'Accept and add')" \
    "one question"
fx_assert_match "^drove: 5 hosts presented a key that $kh does not hold:" "$FX_OUT"
fx_assert_eq "  a[1-3] (127.0.0.1 port $FX_PORT_s1)
  b[1-2] (127.0.0.1 port $FX_PORT_s2)" "$(printf '%s\n' "$FX_OUT" | grep '^  [ab]')" \
    "hosts sharing a key are grouped, in inventory order"
fx_assert_eq 2 "$(printf '%s\n' "$FX_OUT" | sed -n '1,/Accept/p' |
    grep -cF -e "$fp1" -e "$fp2")" "each key shown once"
fx_assert_eq 6 "$(printf '%s\n' "$FX_OUT" | grep -c '^[abk][1-3]: ran$')"
# k1 (its key known) may end before the question begins, never inside it
fx_assert_no_match '^k1' "$(printf '%s\n' "$FX_OUT" |
    sed -n '/presented a key/,/Accept/p')" "no output while the question is up"
fx_assert_eq $((base + 2)) "$(wc -l <"$kh")" "two keys added"
fx_assert_eq 0 "$(grep -vc '^|1|' "$kh")" "added hashed, as the file is"
fx_run ssh-keygen -F "[127.0.0.1]:$FX_PORT_s2" -f "$kh"
fx_assert_eq 0 "$FX_RC" "ssh-keygen finds an added key"

# Now known: no question.
dr_pty "$run"
fx_assert_eq 0 "$FX_RC"
fx_assert_no_match 'Accept' "$FX_OUT" "no question for known keys"

# None: the held hosts fail with the host key message, the others run.
fx_known_hosts s3 >"$kh"
dr_pty "$run" "$question" n
fx_assert_eq 3 "$FX_RC" "reject all"
fx_assert_match '^k1: ran$' "$FX_OUT"
fx_assert_match "^hostkey \(3\): a\[1-3\]: host key for .* is unknown" "$FX_OUT"
fx_assert_match "^hostkey \(2\): b\[1-2\]: host key for .* is unknown" "$FX_OUT"
fx_assert_eq "$base" "$(wc -l <"$kh")" "nothing added"

# Review: yes to the first key, no to the second.
dr_pty "$run" "$question" r 'Accept this key' y 'Accept this key' n
fx_assert_eq 3 "$FX_RC" "review"
fx_assert_eq 3 "$(printf '%s\n' "$FX_OUT" | grep -c '^a[1-3]: ran$')"
fx_assert_match '^hostkey \(2\): b\[1-2\]' "$FX_OUT"
fx_assert_eq $((base + 1)) "$(wc -l <"$kh")" "one key added"

# A changed key is never asked about: it fails.
fx_known_hosts s2 | sed "s/:$FX_PORT_s2 /:$FX_PORT_s1 /" >"$kh"
fx_known_hosts s2 s3 >>"$kh"
dr_pty "$run"
fx_assert_eq 3 "$FX_RC"
fx_assert_no_match 'Accept' "$FX_OUT"
fx_assert_match "^hostkey \(3\): a\[1-3\]: host key for \[127.0.0.1\]:$FX_PORT_s1 has changed" "$FX_OUT"
