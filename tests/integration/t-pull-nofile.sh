#!/bin/sh
# t-pull-nofile.sh: a pull whose local files meet the open-file limit
# (EMFILE) waits for a descriptor and goes on, it does not fail the host.
# drove sizes its hosts at once to the limit, two descriptors a host (the
# socket and the local file) besides a reserve of its own, but it cannot
# see what else holds descriptors (here: 157 inherited ones, as a library
# user's own files would).  With a soft and hard limit of 200 (so that
# drove cannot raise it) it runs all 25 hosts at once, while only about
# 35 descriptors are free: 25 sockets and some 10 files; the hosts' reads
# are slowed (the fault proxy), so that they hold their files at once, and
# most find none left.  Each host pulls a tree of 4
# files; every host must end ok, with every file whole and no temporary
# file left, and drove's trace (DROVE_DEBUG) must show that some waited.
# Then the same through become (-B).
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

[ "$(id -u)" -eq 0 ] || fx_fail "t-pull-nofile needs root (become users)"
. tests/fixtures/become.sh
fx_sshd s1
# each connection reads 200 kB a second from the server, so that the
# hosts hold their files at the same time
fx_fault f s1
fx_fault_cmd f 'new rate down 200000'
fx_known_hosts s1 | sed "s/:$FX_PORT_s1 /:$FX_PORT_f /" \
    >>"$HOME/.ssh/known_hosts"
N=25
fx_inventory h "$N" f g1 "$FX_USER" >"$FX_DIR/inv.yml"
fx_inventory h "$N" f g1 "$DRB_N" >"$FX_DIR/inv-b.yml"
mkdir "$FX_DIR/src"
for i in 1 2 3 4; do
	head -c 300000 /dev/urandom >"$FX_DIR/src/f$i"
done
chmod -R a+rX "$FX_DIR/src"

# The limit, and 157 descriptors held (3 to 159), the others closed.
cat >"$FX_DIR/lim.py" <<'EOF'
import os, resource, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (200, 200))
os.closerange(3, 200)
for _ in range(157):
    os.set_inheritable(os.open("/dev/null", os.O_RDONLY), True)
os.execvp(sys.argv[1], sys.argv[1:])
EOF

# pull INV DL [ARGS...]: pull the tree of every host of INV into DL under
# that limit, then check every host and file.
pull()
{
	_inv=$1 _dl=$2
	shift 2
	fx_run python3 "$FX_DIR/lim.py" env DROVE_DEBUG=1 "$DROVE" \
	    --no-agent --no-history -i "$_inv" "$@" pull -r all \
	    "$FX_DIR/src" "$_dl"
	fx_assert_eq 0 "$FX_RC" "$*: every host ok"
	fx_assert_match "^$N hosts: $N changed\$" "$FX_ERR" \
	    "$*: every host changed"
	_i=1
	while [ $_i -le $N ]; do
		_h=$(printf 'h%04d' $_i)
		for _f in 1 2 3 4; do
			cmp "$FX_DIR/src/f$_f" "$_dl/$_h/src/f$_f" ||
			    fx_fail "$*: $_h's f$_f differs"
		done
		_i=$((_i + 1))
	done
	fx_assert_eq "" "$(find "$_dl" -name '.*drove-*')" \
	    "$*: no temporary file left"
	grep -q ': Too many open files; waiting for a descriptor$' \
	    "$FX_DIR/run.err" || fx_fail "$*: no host met EMFILE"
}

pull "$FX_DIR/inv.yml" "$FX_DIR/dl"
pull "$FX_DIR/inv-b.yml" "$FX_DIR/dl-b" -B
