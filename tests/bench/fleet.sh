# tests/bench/fleet.sh: the loopback fleet of the benchmarks (run.sh,
# play.sh, keep.sh).  Source it from the top of the tree with the host
# counts N... as the positional parameters; it
#   - sets O (made absolute), DROVE, FX_QUIET and DROVE_NO_HISTORY and
#     loads tests/fixtures/lib.sh (fx_init, the test user, HOME);
#   - starts one OpenSSH sshd per 100 hosts of the largest N (b1, b2, ...;
#     MaxStartups and MaxSessions raised, ed25519 host keys) and trusts
#     them in $HOME/.ssh/known_hosts;
#   - defines bench_inventory N, which prints an inventory of N hosts
#     n00001.. as the test user with $FX_KEY, host i on server
#     b(1 + (i-1) / 100);
#   - defines bench_play FILE, which writes there the 3-task play of
#     play.sh and keep.sh (uname, a template into $OUT, a cat of it), and
#     its template under $FX_DIR/templates.
# One sshd's listen backlog of 128 overflows with 1,000 connections at
# once, and SYN retries would then dominate: hence a server per 100 hosts.
O=${O:-build}
case $O in /*) ;; *) O=$PWD/$O ;; esac
DROVE=$O/drove
FX_QUIET=1
DROVE_NO_HISTORY=1	# measure the runs, not their records
export O FX_QUIET DROVE_NO_HISTORY
. tests/fixtures/lib.sh
[ -x "$DROVE" ] && [ -x "$O/helpers/maxrss" ] ||
    { echo "build first: make all $O/helpers/maxrss" >&2; exit 1; }
fx_init
fx_user
HOME=$FX_DIR/home
export HOME
mkdir -p "$HOME/.ssh"
_max=0
for _n in "$@"; do
	[ "$_n" -gt "$_max" ] && _max=$_n
done
_j=1
while [ $_j -le $(( (_max + 99) / 100 )) ]; do
	fx_sshd "b$_j" hostkeys=ed25519 maxstartups=5000 maxsessions=5000 \
	    LogLevel=ERROR
	fx_known_hosts "b$_j" >>"$HOME/.ssh/known_hosts"
	_j=$((_j + 1))
done

# bench_inventory N: N hosts, host i on server b(1 + (i-1) / 100).
bench_inventory()
{
	printf 'all:\n  vars: { ansible_user: %s, ansible_host: 127.0.0.1, ansible_ssh_private_key_file: %s }\n  hosts:\n' \
	    "$FX_USER" "$FX_KEY"
	_i=1
	while [ $_i -le "$1" ]; do
		eval "_port=\$FX_PORT_b$(( (_i - 1) / 100 + 1 ))"
		printf '    n%05d: { ansible_port: %s }\n' $_i "$_port"
		_i=$((_i + 1))
	done
}

bench_play()
{
	mkdir -p "$FX_DIR/templates"
	printf 'host={{ inventory_hostname }}\nport={{ ansible_port }}\n' \
	    >"$FX_DIR/templates/bench.conf.j2"
	cat >"$1" <<EOF
- hosts: all
  tasks:
    - name: kernel
      run: uname -r
      changed_when: false
    - name: config
      template: { src: bench.conf.j2, dest: "$OUT/{{ inventory_hostname }}.conf" }
    - name: read back
      run: cat $OUT/{{ inventory_hostname }}.conf
      changed_when: false
EOF
}
