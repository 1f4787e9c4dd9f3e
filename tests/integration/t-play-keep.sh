#!/bin/sh
# t-play-keep.sh: drove play keeps one session per host for every task of
# a play: three tasks (a command, a push over SFTP, a command) on three
# hosts cost three connections (the server's log counts them); a host's
# session killed between two tasks is connected again once, says so, and
# the play goes on; a host that fails leaves the play and its session is
# closed (the server logs its disconnection before the play ends).
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
dr_inventory s1 3
INV="-i $FX_DIR/inv.yml"
P=$FX_DIR/pb
mkdir -p "$P/files"
printf 'pushed\n' >"$P/files/blob"

# Connections server s1 accepted so far.
conns()
{
	grep -c 'Connection from 127.0.0.1 port' "$FX_DIR/s1/log"
}

cat >"$P/three.yml" <<EOF
- hosts: all
  tasks:
    - name: first
      run: echo first
    - name: blob
      push:
        src: blob
        dest: /tmp/drove-keep-blob.{{ inventory_hostname }}.$$
    - name: third
      run: cat /tmp/drove-keep-blob.{{ inventory_hostname }}.$$; rm -f /tmp/drove-keep-blob.{{ inventory_hostname }}.$$
EOF
dr $INV play "$P/three.yml"
fx_assert_eq 0 "$FX_RC" "three tasks"
fx_assert_eq 3 "$(conns)" "one connection per host for three tasks"
fx_assert_match '^h0002: ok=0 changed=3 unreachable=0 failed=0 skipped=0' \
    "$FX_OUT" "h0002 recap"
dr $INV play -v "$P/three.yml"
fx_assert_match '^    pushed$' "$FX_OUT" "the pushed file read back"
fx_assert_eq 6 "$(conns)" "one connection per host again"

# h0001's session dies while h0002 and h0003 still run the second task:
# the third connects h0001 again, once.
cat >"$P/kill.yml" <<'EOF'
- hosts: all
  tasks:
    - name: first
      run: echo first
    - name: kill
      run: |
        case {{ inventory_hostname }} in
        h0001) p=$PPID; (sleep 1; kill -9 $p) </dev/null >/dev/null 2>&1 & ;;
        *) sleep 4 ;;
        esac
    - name: third
      run: echo third
EOF
before=$(conns)
dr $INV play --json "$P/kill.yml"
fx_assert_eq 0 "$FX_RC" "the killed session is connected again"
fx_assert_eq $((before + 4)) "$(conns)" "one more connection for h0001"
fx_assert_match '"task":"third","host":"h0001","status":"changed".*"stderr":"connected again: connection to 127.0.0.1 port [0-9]+ closed by the server while idle' \
    "$FX_OUT" "h0001 says why it connected again"

# A host that fails leaves the play: its session closes at once, before
# the others end their second task (the trace shows the order).
cat >"$P/fail.yml" <<'EOF'
- hosts: all
  tasks:
    - name: first
      run: test {{ inventory_hostname }} != h0003
    - name: second
      run: sleep 1
EOF
DROVE_DEBUG=1 dr $INV play "$P/fail.yml"
fx_assert_eq 1 "$FX_RC" "h0003 failed"
fx_assert_match '^h0003: ok=0 changed=0 unreachable=0 failed=1' "$FX_OUT"
fx_assert_match '^h0001: ok=0 changed=2 unreachable=0 failed=0' "$FX_OUT"
closed=$(printf '%s\n' "$FX_ERR" | grep -n 'h0003: ready -> close' |
    cut -d: -f1)
second=$(printf '%s\n' "$FX_ERR" | grep -n 'h0001: job -> ready' |
    tail -n 1 | cut -d: -f1)
[ -n "$closed" ] && [ -n "$second" ] && [ "$closed" -lt "$second" ] ||
    fx_fail "h0003's session not closed before the second task ended"
exit 0
