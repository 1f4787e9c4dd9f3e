#!/bin/sh
# t-play-sftp.sh: drove play keeps one SFTP channel per host session for
# every push and pull task of a play: three such tasks on three hosts start
# the sftp subsystem three times (the server's log counts the requests);
# a host's sftp-server killed between two tasks is started again once for
# that host, and the play goes on; on dropbear too.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1 sftp="$FX_SFTP_SERVER"
dr_inventory s1 3
INV="-i $FX_DIR/inv.yml"
P=$FX_DIR/pb
T=/tmp/drove-play-sftp.$$
mkdir -p "$P/files"
printf 'one\n' >"$P/files/one"
printf 'two\n' >"$P/files/two"

# The sftp subsystem requests server s1 logged so far.
starts()
{
	grep -c 'subsystem request for sftp' "$FX_DIR/s1/log"
}

cat >"$P/three.yml" <<EOF
- hosts: all
  tasks:
    - name: one
      push:
        src: one
        dest: $T.one.{{ inventory_hostname }}
    - name: two
      push:
        src: two
        dest: $T.two.{{ inventory_hostname }}
    - name: back
      pull:
        src: $T.one.{{ inventory_hostname }}
        dest: $FX_DIR/pulled
EOF
dr $INV play "$P/three.yml"
fx_assert_eq 0 "$FX_RC" "three sftp tasks"
fx_assert_match '^h0002: ok=0 changed=3 unreachable=0 failed=0' "$FX_OUT" \
    "h0002 recap"
fx_assert_eq 3 "$(starts)" "one sftp start per host for three tasks"
fx_assert_eq two "$(cat $T.two.h0003)" "h0003's second file"
fx_assert_eq one "$(cat "$FX_DIR/pulled/h0001/$(basename $T.one.h0001)")" \
    "h0001's file pulled back"

# h0001's sftp-server (under a shell, a sibling of the task's shell) is
# killed between two pushes: the second starts a new one for h0001 only.
cat >"$P/kill.yml" <<EOF
- hosts: all
  tasks:
    - name: one
      push:
        src: one
        dest: $T.k1.{{ inventory_hostname }}
    - name: kill
      run: |
        [ {{ inventory_hostname }} = h0001 ] || exit 0
        for d in /proc/[0-9]*; do
          [ "\$(cat \$d/comm 2>/dev/null)" = sftp-server ] || continue
          p=\$(cut -d' ' -f4 \$d/stat)
          [ "\$(cut -d' ' -f4 /proc/\$p/stat)" = \$PPID ] &&
              kill -9 \${d#/proc/}
        done
        exit 0
    - name: two
      push:
        src: two
        dest: $T.k2.{{ inventory_hostname }}
EOF
before=$(starts)
dr $INV play "$P/kill.yml"
fx_assert_eq 0 "$FX_RC" "the killed sftp-server is started again"
fx_assert_match '^h0001: ok=0 changed=3 unreachable=0 failed=0' "$FX_OUT" \
    "h0001 recap"
fx_assert_eq $((before + 4)) "$(starts)" "one more sftp start for h0001"
fx_assert_eq two "$(cat $T.k2.h0001)" "h0001's second file"

# dropbear: three sftp tasks on kept sessions too.
fx_dropbear d1
dr_inventory d1 2 d
dr $INV play "$P/three.yml"
fx_assert_eq 0 "$FX_RC" "three sftp tasks on dropbear"
fx_assert_match '^d0002: ok=0 changed=3 unreachable=0 failed=0' "$FX_OUT" \
    "d0002 recap"
rm -f $T.*
exit 0
