#!/bin/sh
# t-play-sftp.sh: drove play keeps one SFTP channel per host session for
# every push, template and pull task of a play: four such tasks on three
# hosts start the sftp subsystem three times and run no command (the
# server's log counts the requests); a template keeps an existing target's
# mode, changes a mode that differs, leaves the same bytes alone and goes
# into a directory; on a server that refuses SFTP a template is installed
# by a shell command instead; a host's sftp-server killed between two
# tasks is started again once for that host, and the play goes on; on
# dropbear too.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1 sftp="$FX_SFTP_SERVER"
dr_inventory s1 3
INV="-i $FX_DIR/inv.yml"
P=$FX_DIR/pb
T=/tmp/drove-play-sftp.$$
mkdir -p "$P/files" "$P/templates"
printf 'one\n' >"$P/files/one"
printf 'two\n' >"$P/files/two"
printf 'host={{ inventory_hostname }}\n' >"$P/templates/t.conf.j2"

# The sftp subsystem requests and the commands server s1 logged so far.
starts()
{
	grep -c 'subsystem request for sftp' "$FX_DIR/s1/log"
}
execs()
{
	grep -c 'req exec' "$FX_DIR/s1/log"
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
    - name: conf
      template:
        src: t.conf.j2
        dest: $T.conf.{{ inventory_hostname }}
    - name: back
      pull:
        src: $T.one.{{ inventory_hostname }}
        dest: $FX_DIR/pulled
EOF
e0=$(execs)
dr $INV play "$P/three.yml"
fx_assert_eq 0 "$FX_RC" "four sftp tasks"
fx_assert_match '^h0002: ok=0 changed=4 unreachable=0 failed=0' "$FX_OUT" \
    "h0002 recap"
fx_assert_eq 3 "$(starts)" "one sftp start per host for four tasks"
fx_assert_eq "$e0" "$(execs)" "commands run for four sftp tasks"
fx_assert_eq two "$(cat $T.two.h0003)" "h0003's second file"
fx_assert_eq host=h0002 "$(cat $T.conf.h0002)" "h0002's template"
fx_assert_eq 644 "$(stat -c %a $T.conf.h0002)" "a new template's mode"
fx_assert_eq "" "$(find /tmp -maxdepth 1 -name ".drove-play-sftp.$$*.tmp")" \
    "temporary files left"

# Templates on targets in place: h0001's has other bytes and mode 600 (it
# keeps the mode); h0002's the same bytes and mode 600, with mode 640 asked
# for; h0003's the same bytes and mode (left alone, read back, no command);
# a dest that is a directory gets the template's name.  All are the
# login user's, in a directory of its own.
mkdir $T.d $T.d/dir
printf 'old\n' >$T.d/t.h0001
printf 'host=h0002\n' >$T.d/t.h0002
printf 'host=h0003\n' >$T.d/t.h0003
chmod 600 $T.d/t.h0001 $T.d/t.h0002
chmod 640 $T.d/t.h0003
chown -R "$FX_USER" $T.d
cat >"$P/tmpl.yml" <<EOF
- hosts: all
  tasks:
    - name: keep mode
      template: { src: t.conf.j2, dest: "$T.d/t.{{ inventory_hostname }}" }
      when: inventory_hostname == "h0001"
    - name: new mode
      template:
        src: t.conf.j2
        dest: "$T.d/t.{{ inventory_hostname }}"
        mode: 0640
      when: inventory_hostname != "h0001"
    - name: into a directory
      template: { src: t.conf.j2, dest: $T.d/dir/ }
      when: inventory_hostname == "h0001"
EOF
dr $INV play "$P/tmpl.yml"
fx_assert_eq 0 "$FX_RC" "templates on targets in place"
fx_assert_eq host=h0001 "$(cat $T.d/t.h0001)" "h0001's new bytes"
fx_assert_eq 600 "$(stat -c %a $T.d/t.h0001)" "h0001's mode kept"
fx_assert_eq 640 "$(stat -c %a $T.d/t.h0002)" "h0002's new mode"
fx_assert_eq 640 "$(stat -c %a $T.d/t.h0003)" "h0003's mode"
fx_assert_match '^h0001: ok=0 changed=2 unreachable=0 failed=0' "$FX_OUT" \
    "h0001 recap"
fx_assert_match '^h0002: ok=0 changed=1 unreachable=0 failed=0' "$FX_OUT" \
    "h0002 recap"
fx_assert_match '^h0003: ok=1 changed=0 unreachable=0 failed=0' "$FX_OUT" \
    "h0003 recap"
fx_assert_eq host=h0001 "$(cat $T.d/dir/t.conf.j2)" "the template in a directory"
e0=$(execs)
dr $INV play "$P/tmpl.yml"
fx_assert_eq 0 "$FX_RC" "templates again"
fx_assert_no_match ': changed' "$FX_OUT" "templates again changed something"
fx_assert_eq "$e0" "$(execs)" "commands run to compare templates"
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

# A template into a directory that is not there fails the host, saying so.
cat >"$P/nodir.yml" <<EOF
- hosts: h0001
  tasks:
    - name: nowhere
      template: { src: t.conf.j2, dest: $T.d/none/t.conf }
EOF
dr $INV play "$P/nodir.yml"
fx_assert_eq 1 "$FX_RC" "a template into a missing directory"
fx_assert_match \
    "^h0001: failed: rc=1: create $T.d/none/t.conf: no such file or directory\$" \
    "$FX_OUT" "the missing directory's message"

# A server without an sftp-server (its subsystem's program missing: sshd
# runs it anyway, and no SFTP answer comes): its hosts install the
# template with a shell command on the same session after the connect
# timeout, the play's next template at once, and compare the same way the
# next time.
fx_sshd s2 sftp=/nonexistent/sftp-server
dr_inventory s2 2 n
cat >"$P/tmpl2.yml" <<EOF
- hosts: all
  tasks:
    - name: conf
      template: { src: t.conf.j2, dest: "$T.n.{{ inventory_hostname }}" }
    - name: conf2
      template: { src: t.conf.j2, dest: "$T.n2.{{ inventory_hostname }}" }
EOF
dr $INV --connect-timeout 2 play "$P/tmpl2.yml"
fx_assert_eq 0 "$FX_RC" "templates without sftp"
fx_assert_eq host=n0002 "$(cat $T.n.n0002)" "n0002's template without sftp"
fx_assert_eq host=n0001 "$(cat $T.n2.n0001)" "n0001's second template"
fx_assert_match '^n0001: ok=0 changed=2 unreachable=0 failed=0' "$FX_OUT" \
    "n0001 recap without sftp"
fx_assert_eq 2 "$(grep -c 'subsystem request for sftp' "$FX_DIR/s2/log")" \
    "sftp tried once per host"
dr $INV --connect-timeout 2 play "$P/tmpl2.yml"
fx_assert_eq 0 "$FX_RC" "templates without sftp, again"
fx_assert_match '^n0002: ok=2 changed=0 unreachable=0 failed=0' "$FX_OUT" \
    "n0002 recap without sftp, again"

# dropbear: three sftp tasks on kept sessions too.
fx_dropbear d1
dr_inventory d1 2 d
dr $INV play "$P/three.yml"
fx_assert_eq 0 "$FX_RC" "four sftp tasks on dropbear"
fx_assert_match '^d0002: ok=0 changed=4 unreachable=0 failed=0' "$FX_OUT" \
    "d0002 recap"
rm -rf $T.*
exit 0
