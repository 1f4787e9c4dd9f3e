#!/bin/sh
# tests/bench/become.sh: what --become costs: `drove run N-hosts true` as
# a NOPASSWD user without and with -B, as a user whose sudo asks for a
# password (given through become_password_env), and with a wrong one (how
# soon every host has failed).  Wall time and drove's client CPU
# (user+sys), RUNS times each (default 3).
#
# Usage: sh tests/bench/become.sh [N]   (default 50; root: it makes users
# and sudoers rules of its own, as the tests do, and removes them)
# The hosts are one OpenSSH sshd on 127.0.0.1 under N inventory names;
# sudo runs on the same machine, so wall time includes its password
# hashing for every host.
cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
case $O in /*) ;; *) O=$PWD/$O ;; esac
DROVE=$O/drove
export O DROVE
[ -x "$DROVE" ] && [ -x "$O/helpers/maxrss" ] ||
    { echo "build first: make all $O/helpers/maxrss" >&2; exit 1; }
N=${1:-50}
RUNS=${RUNS:-3}
FX_QUIET=1
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh
. tests/fixtures/become.sh
fx_sshd s1
fx_known_hosts s1 >>"$HOME/.ssh/known_hosts"
drb_inventory s1 "$N" "$DRB_N" 'become_password_env: DRB_PW' \
    >"$FX_DIR/n.yml"
drb_inventory s1 "$N" "$DRB_P" 'become_password_env: DRB_PW' \
    >"$FX_DIR/p.yml"

# Time drove with the options given, RUNS times, under label $1.
bench()
{
	_l=$1
	shift
	_i=0
	while [ $_i -lt "$RUNS" ]; do
		"$O/helpers/maxrss" "$FX_DIR/rss" "$DROVE" --no-agent \
		    --no-history -q "$@" >/dev/null 2>&1
		read -r _kib _user _sys _wall <"$FX_DIR/rss"
		printf '%s\t%s ms wall\t%s ms client CPU\n' "$_l" "$_wall" \
		    $((_user + _sys))
		_i=$((_i + 1))
	done
}

echo "$N hosts"
bench "plain, NOPASSWD user" -i "$FX_DIR/n.yml" run all true
bench "-B, NOPASSWD user" -i "$FX_DIR/n.yml" -B run all true
DRB_PW=$DRB_PW_P bench "-B, with a password" -i "$FX_DIR/p.yml" -B \
    run all true
DRB_PW=wrong bench "-B, a wrong password" -i "$FX_DIR/p.yml" -B run all true
