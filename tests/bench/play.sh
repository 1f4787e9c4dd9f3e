#!/bin/sh
# tests/bench/play.sh: a 3-task play (a command, a template rendered per
# host, a command reading it back) on N hosts of a loopback fleet with
# `drove play`, then the same tasks with `ansible-playbook` when it is
# installed: wall time and client CPU (user+sys of the tool and its
# children: ansible's forks and ssh processes count, sshd does not).
#
# Usage: sh tests/bench/play.sh [N...]       (default: 500)
# Environment: O (build dir, default build), FORKS (both tools, default
# 500), ANSIBLE_MAX (skip ansible above this many hosts, default 500).
# The fleet is as tests/bench/run.sh makes it: one sshd per 100 hosts,
# reached under N inventory names as the fixture's test user; both tools
# use the same inventory file, key and known_hosts.  Each run starts from
# an empty /tmp/drove-bench-play, so the template changes on every host.
cd "$(dirname "$0")/../.." || exit 1
[ $# -gt 0 ] || set -- 500
FORKS=${FORKS:-500}
. tests/bench/fleet.sh
OUT=/tmp/drove-bench-play

bench_play "$FX_DIR/drove.yml"
cat >"$FX_DIR/ansible.yml" <<EOF
- hosts: all
  gather_facts: false
  tasks:
    - name: kernel
      command: uname -r
      changed_when: false
    - name: config
      template: { src: templates/bench.conf.j2, dest: "$OUT/{{ inventory_hostname }}.conf" }
    - name: read back
      command: cat $OUT/{{ inventory_hostname }}.conf
      changed_when: false
EOF

# bench TOOL N CMD...: run CMD under maxrss; print a result line.
bench()
{
	_tool=$1 _n=$2
	shift 2
	rm -rf "$OUT"
	mkdir -p "$OUT"
	chmod 1777 "$OUT"
	"$O/helpers/maxrss" "$FX_DIR/rss" "$@" >"$FX_DIR/out.$_tool" 2>&1
	_rc=$?
	_files=$(find "$OUT" -name '*.conf' | wc -l)
	read -r rss usr sys wall <"$FX_DIR/rss"
	printf '%-16s %6d %9d %9d %10s %6d %4d\n' "$_tool" "$_n" "$wall" \
	    $((usr + sys)) "$(awk "BEGIN{printf \"%.2f\", ($usr+$sys)/$_n}")" \
	    "$_files" "$_rc"
}

printf '%s\n' "drove $("$DROVE" --version | cut -d' ' -f2), $(nproc) CPUs, forks=$FORKS"
printf '%-16s %6s %9s %9s %10s %6s %4s\n' tool hosts wall_ms cpu_ms \
    cpu/host files rc
for n in "$@"; do
	bench_inventory "$n" >"$FX_DIR/inv.yml"
	bench drove "$n" "$DROVE" --no-agent -i "$FX_DIR/inv.yml" -f "$FORKS" \
	    --connect-rate 0 --max-startups 0 --connect-timeout 60 -q \
	    play "$FX_DIR/drove.yml"
	if ! command -v ansible-playbook >/dev/null; then
		echo "ansible-playbook: not installed, skipped"
	elif [ "$n" -gt "${ANSIBLE_MAX:-500}" ]; then
		echo "ansible-playbook: skipped above ANSIBLE_MAX hosts"
	else
		ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_SSH_ARGS="-o ControlMaster=no -o UserKnownHostsFile=$HOME/.ssh/known_hosts" \
		    ANSIBLE_PYTHON_INTERPRETER=auto_silent \
		    ANSIBLE_LOCAL_TEMP="$FX_DIR/ansible-tmp" \
		    bench ansible-playbook "$n" ansible-playbook \
		    -i "$FX_DIR/inv.yml" -f "$FORKS" "$FX_DIR/ansible.yml"
	fi
done
rm -rf "$OUT"
