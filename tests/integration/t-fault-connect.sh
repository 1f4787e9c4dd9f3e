#!/bin/sh
# t-fault-connect.sh: a host whose name has two addresses, the first of
# which never answers (SYNs dropped in a network namespace), is reached on
# its second after one connect timeout, as ssh does: each address gets its
# own timeout (and a retry, which starts at the first address again, does
# not stop that).  Data on stdin arriving while the first connect is still
# in progress must not move that socket on to the handshake.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_netns n '::1 dual' '127.0.0.1 dual'
fx_netns_sshd n s
fx_netns_drop n 'ip6 daddr ::1 tcp flags syn'
fx_known_hosts s | sed "s/^\[127.0.0.1\]/[dual]/" >"$HOME/.ssh/known_hosts"
cat >"$FX_DIR/inv.yml" <<EOF
all:
  hosts:
    dual:
      ansible_port: $FX_PORT_s
      ansible_user: $FX_USER
      ansible_ssh_private_key_file: $FX_KEY
EOF

# drv ARGS...: drove in the namespace, stdin from $FX_DIR/stdin.
drv()
{
	echo "fx: run: drove $*" >&2
	FX_RC=0
	fx_netns_exec n timeout 120 "$DROVE" --no-agent -i "$FX_DIR/inv.yml" \
	    "$@" <"$FX_DIR/stdin" >"$FX_DIR/out" 2>"$FX_DIR/err" || FX_RC=$?
	FX_OUT=$(cat "$FX_DIR/out")
	FX_ERR=$(cat "$FX_DIR/err")
	printf 'fx: exit %s\n--- stdout:\n%s\n--- stderr:\n%s\n---\n' \
	    "$FX_RC" "$FX_OUT" "$FX_ERR" >&2
}

: >"$FX_DIR/stdin"
for retries in 0 1; do
	drv --connect-timeout 2 --retries $retries --json run dual \
	    'echo $SSH_CONNECTION'
	fx_assert_eq 0 "$FX_RC" "retries $retries: exit status"
	fx_assert_match '"status":"ok".*"stdout":"127.0.0.1 ' "$FX_OUT" \
	    "retries $retries: reached on 127.0.0.1"
done

# stdin arrives one second into the first address's three: it wakes the
# session, which must go on waiting for that connect.
mkfifo "$FX_DIR/stdin.fifo"
rm "$FX_DIR/stdin"
ln -s "$FX_DIR/stdin.fifo" "$FX_DIR/stdin"
(sleep 1; echo typed) >"$FX_DIR/stdin.fifo" &
drv --connect-timeout 3 --retries 0 --json run dual cat
fx_assert_eq 0 "$FX_RC" "stdin early: exit status"
fx_assert_match '"status":"ok".*"stdout":"typed\\n"' "$FX_OUT" \
    "stdin early: reached, and the input passed"
