# tests/bench/spread.sh: the loopback fleet of scale.sh and stall.sh: many
# hosts spread over several servers.
# Source it after tests/fixtures/lib.sh and fx_init, fx_user.
#
#   bench_servers N OPTION...     sshd s1..sN (fx_sshd options)
#   bench_inventory HOSTS N [distinct]
#                                 print an inventory of HOSTS hosts spread
#                                 in order over s1..sN as the test user; with
#                                 "distinct", each host gets its own name
#                                 for 127.0.0.1 (zeros added to its second
#                                 and third parts), so its known_hosts
#                                 entry is its own

bench_servers()
{
	_bn=$1
	shift
	_bj=1
	while [ $_bj -le "$_bn" ]; do
		fx_sshd "s$_bj" "$@"
		_bj=$((_bj + 1))
	done
}

bench_inventory()
{
	_bper=$(( ($1 + $2 - 1) / $2 ))
	printf 'all:\n  vars: { ansible_user: %s, ansible_host: 127.0.0.1, key: %s }\n  hosts:\n' \
	    "$FX_USER" "$FX_KEY"
	_bi=1
	while [ $_bi -le "$1" ]; do
		eval "_bport=\$FX_PORT_s$(( (_bi - 1) / _bper + 1 ))"
		if [ "${3:-}" = distinct ]; then
			printf '    n%05d: { ansible_port: %s, ansible_host: 127.%s.%s.1 }\n' \
			    $_bi "$_bport" "$(printf "%0$((_bi / 16 + 1))d" 0)" \
			    "$(printf "%0$((_bi % 16 + 1))d" 0)"
		else
			printf '    n%05d: { ansible_port: %s }\n' $_bi "$_bport"
		fi
		_bi=$((_bi + 1))
	done
}
