#!/bin/sh
# t-sftp-broken.sh: SFTP servers that break the protocol end the host's
# transfer with a message, never the run: one that stops in the middle of
# a packet (libssh2 1.10 would loop inside its packet reader for ever) and
# one that exits before it answers at all.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

# half: answers INIT with VERSION 3, then the next request with the first
# bytes of a 1024-byte ATTRS packet, and exits.
cat >"$FX_DIR/half-sftp" <<'SH'
#!/bin/sh
head -c 9 >/dev/null
printf '\000\000\000\005\002\000\000\000\003'
head -c 4 >/dev/null
printf '\000\000\004\000\151\000\000'
SH
chmod 755 "$FX_DIR/half-sftp"
fx_sshd half sftp="$FX_DIR/half-sftp"
fx_sshd mute sftp=/bin/true
fx_sshd_private ok
fx_inventory_each "$FX_USER" half mute ok >"$FX_DIR/inv.yml"
fx_known_hosts half mute ok >>"$HOME/.ssh/known_hosts"
echo data >"$FX_DIR/src"

# Each host fails alone with its reason and the good one is done.  No
# command timeout is set: the mute server fails after the connect timeout
# and the run ends because every host did.  libssh2 1.10 spins in its
# packet reader (drove stops it); 1.11 reads the channel's EOF, which
# drove notices.
if dr_libssh2 1.11.0; then
	half='the sftp server went away$'
else
	half='the sftp server went away in the middle of a packet$'
fi
check()
{
	fx_assert_eq 1 "$FX_RC" "exit status of $1"
	dr_summary failed half ".*: $half"
	dr_summary timeout mute 'start sftp on mute: no answer in 2.000s$'
	fx_assert_match '1 changed' "$FX_ERR"
}
fx_run timeout 120 "$DROVE" --no-agent --connect-timeout 2 \
    -i "$FX_DIR/inv.yml" push all "$FX_DIR/src" "$FX_DATA/dest"
check push
fx_run timeout 120 "$DROVE" --no-agent --connect-timeout 2 \
    -i "$FX_DIR/inv.yml" pull all "$FX_DATA/dest" "$FX_DIR/out"
check pull
fx_assert_eq "data" "$(cat "$FX_DIR/out/ok/dest")"
