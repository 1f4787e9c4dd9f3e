#!/bin/sh
# tests/bench/inventory.sh: how long drove takes to load a large inventory
# and evaluate a pattern over it, and how much memory it needs, from YAML
# and from the store.
#
# Usage: sh tests/bench/inventory.sh [N]       (default 100000 hosts)
# Environment: O (build dir, default build).
#
# The inventory has N hosts in racks of 1000 (groups rack000, ...), every
# host also in web or db (children of prod), vars at all, group and host
# level.  Each line times one command through tests/helpers/maxrss: wall
# and CPU time, peak RSS, and how many host names it printed.
cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
case $O in /*) ;; *) O=$PWD/$O ;; esac
DROVE=$O/drove
[ -x "$DROVE" ] && [ -x "$O/helpers/maxrss" ] ||
    { echo "build first: make all $O/helpers/maxrss" >&2; exit 1; }
n=${1:-100000}
dir=$(mktemp -d "${TMPDIR:-/tmp}/drove-bench-inv.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
HOME=$dir/home
DROVE_HOME=$dir/store
export HOME DROVE_HOME
mkdir -p "$HOME/.ssh"
cat >"$HOME/.ssh/config" <<'CFG'
Host n0*
  User ops
Host *
  IdentitiesOnly yes
CFG

awk -v n="$n" 'BEGIN {
	print "all:"
	print "  vars: {ansible_user: deploy, env: bench}"
	print "  children:"
	print "    prod:"
	print "      vars: {tier: prod}"
	print "      children:"
	print "        web:"
	print "          hosts:"
	for (i = 0; i < n; i += 2)
		printf "            n%06d:\n", i
	print "        db:"
	print "          vars: {ansible_port: 2222}"
	print "          hosts:"
	for (i = 1; i < n; i += 2)
		printf "            n%06d: {role: replica}\n", i
	for (r = 0; r * 1000 < n; r++) {
		printf "    rack%03d:\n      vars: {rack: \"%d\"}\n", r, r
		e = (r + 1) * 1000 - 1
		if (e >= n)
			e = n - 1
		printf "      hosts:\n        n[%06d:%06d]:\n", r * 1000, e
	}
}' >"$dir/inv.yml"

# measure LABEL CMD...: one line of figures for CMD
measure()
{
	label=$1
	shift
	"$O/helpers/maxrss" "$dir/rss" "$@" >"$dir/out" 2>"$dir/err" ||
	    { echo "$label: failed: $(cat "$dir/err")" >&2; exit 1; }
	read -r kib ums sms wms <"$dir/rss"
	printf '%-40s %8s %8s %8s %8s\n' "$label" "$wms" "$((ums + sms))" \
	    "$((kib / 1024))" "$(wc -l <"$dir/out")"
}

printf 'drove %s, %s hosts, %s bytes of YAML, %s CPUs\n' \
    "$("$DROVE" --version | cut -d' ' -f2)" "$n" \
    "$(wc -c <"$dir/inv.yml")" "$(nproc)"
printf '%-40s %8s %8s %8s %8s\n' command wall_ms cpu_ms rss_MiB lines
pat='rack01*:&web:!n0100[0-4]*'
measure "yaml: list all" "$DROVE" -i "$dir/inv.yml" inventory list
measure "yaml: list '$pat'" "$DROVE" -i "$dir/inv.yml" inventory list "$pat"
measure "yaml: list ~regex" "$DROVE" -i "$dir/inv.yml" inventory list \
    '~n0[0-4].*[13579]$'
measure "import into the store" "$DROVE" inventory import "$dir/inv.yml"
measure "store: list all" "$DROVE" inventory list
measure "store: list '$pat'" "$DROVE" inventory list "$pat"
measure "store: list --json (resolved vars)" "$DROVE" inventory list --json \
    'db'
measure "store: export" "$DROVE" inventory export
printf 'store size: %s KiB\n' "$(du -k "$DROVE_HOME/drove.db" | cut -f1)"
