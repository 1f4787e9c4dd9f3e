#!/bin/sh
# t-keyscan.sh: drove keyscan collects host keys from the inventory in
# parallel: known_hosts lines (plain or hashed, a chosen type), or added to
# the file once (--append), after which strict checking passes.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
fx_sshd s2 hostkeys=ed25519,ecdsa
closed=$(fx_closed_port)
cat >"$FX_DIR/inv.yml" <<YML
all:
  vars: { ansible_user: $FX_USER, ansible_host: 127.0.0.1, key: $FX_KEY }
  children:
    web:
      hosts:
        a1: { ansible_port: $FX_PORT_s1 }
        a2: { ansible_port: $FX_PORT_s1 }
        b1: { ansible_port: $FX_PORT_s2 }
    dead:
      hosts:
        gone: { ansible_port: $closed }
YML
ed1="[127.0.0.1]:$FX_PORT_s1 $(cut -d' ' -f1,2 "$FX_HOSTKEY_s1")"
ed2="[127.0.0.1]:$FX_PORT_s2 $(cut -d' ' -f1,2 "$FX_HOSTKEY_s2")"

dr -i "$FX_DIR/inv.yml" keyscan web
fx_assert_eq 0 "$FX_RC" "keyscan"
fx_assert_eq "$(printf '%s\n' "$ed1" "$ed1" "$ed2" | sort)" \
    "$(printf '%s\n' "$FX_OUT" | sort)" "one ed25519 line per host"
fx_assert_match '^3 hosts: 3 ok$' "$FX_ERR"

dr -i "$FX_DIR/inv.yml" keyscan -t ecdsa-sha2-nistp256 b1
fx_assert_eq "0 [127.0.0.1]:$FX_PORT_s2 ecdsa-sha2-nistp256" \
    "$FX_RC $(printf '%s' "$FX_OUT" | cut -d' ' -f1,2)" "-t chooses the type"

dr -i "$FX_DIR/inv.yml" keyscan --hash b1
fx_assert_match '^\|1\|[^ ]+ ssh-ed25519 ' "$FX_OUT" "hashed"
printf '%s\n' "$FX_OUT" >"$FX_DIR/hashed"
fx_run ssh-keygen -F "[127.0.0.1]:$FX_PORT_s2" -f "$FX_DIR/hashed"
fx_assert_eq 0 "$FX_RC" "the hashed line matches the host"

dr -i "$FX_DIR/inv.yml" keyscan all
fx_assert_eq 3 "$FX_RC" "a host that cannot be reached"
fx_assert_match '^gone: refused: ' "$FX_ERR"

# --append: each missing key once; again: nothing; then strict passes.
kh=$HOME/.ssh/known_hosts
: >"$kh"
dr -i "$FX_DIR/inv.yml" keyscan --append web
fx_assert_eq 0 "$FX_RC" "append"
fx_assert_eq "$(printf '%s\n' "$ed1" "$ed2" | sort)" "$(sort "$kh")" \
    "each key added once"
dr -i "$FX_DIR/inv.yml" keyscan --append web
fx_assert_eq 2 "$(wc -l <"$kh")" "nothing added twice"
dr -i "$FX_DIR/inv.yml" run web true
fx_assert_eq 0 "$FX_RC" "strict checking passes after keyscan --append"
