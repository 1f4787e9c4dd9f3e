# drove.bash: bash completion for drove(1).
#
# Install as share/bash-completion/completions/drove, or source it.  The
# commands come from "drove --help", each command's options from "drove
# COMMAND --help" (plus the common options below for the commands that
# take them), so a new command or option completes without changing this
# file.  Host and group names come from "drove inventory list" and
# "drove inventory groups", given the -i, -H, --db and -F words already on
# the line; a pattern completes after its last ',', ':', '!' or '&'.

# The options every host command shares (src/cli/common-opts.c); a trailing '='
# marks one that takes a value.
_drove_common='-i= --inventory= -H= --hosts= --db= -F= --ssh-config= -l=
--user= -p= --port= -f= --forks= --loops= --connect-timeout=
--connect-rate= --max-startups= --retries= --fail-fast --keepalive= --key=
--cert= --no-agent --ask-pass --known-hosts= --host-key-check= -q --quiet
--no-history --vault-password-file= --ask-vault-pass -J= --jump=
--jump-channels= -B --become -K --ask-become-pass --become-user=
--become-method='

# Print the commands of "drove --help".
_drove_commands()
{
	"$1" --help 2>/dev/null | awk '/^commands:/ { on = 1; next }
	    on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }'
}

# Print the options of "drove CMD --help", one a line, '=' after those that
# take a value; with the common ones when the command takes them.
_drove_options()
{
	local help
	help=$("$1" "$2" --help 2>/dev/null)
	{
	printf '%s\n' "$help" | awk '
	    /^ *-/ {
		sub(/^ */, ""); sub(/   .*/, "")
		n = split($0, item, /, /)
		for (i = n; i >= 1; i--) {
			# "-o, --out-dir DIR": -o takes DIR too
			if (split(item[i], w, / /) > 1 || i == n)
				arg = w[2] ~ /^[A-Z]/
			o = w[1]; sub(/\[.*/, "", o)
			print o (arg ? "=" : "")
		}
	    }
	    { while (match($0, /\[--?[a-zA-Z][a-zA-Z0-9-]*( [A-Z])?/)) {
		o = substr($0, RSTART + 1, RLENGTH - 1)
		$0 = substr($0, RSTART + RLENGTH)
		if (sub(/ [A-Z]$/, "", o))
			o = o "="
		print o
	    } }'
	case $help in
	*--no-history* | *"connection options"*)
		printf '%s\n' $_drove_common ;;
	esac
	} | sort -u
}

# Print the words of COMP_WORDS that say where the inventory is.
_drove_sources()
{
	local i w
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-i | --inventory | -H | --hosts | --db | -F | --ssh-config)
			if ((i + 1 < COMP_CWORD)); then
				printf '%s\n' "$w" "${COMP_WORDS[i + 1]}"
			fi
			((i++)) ;;
		--inventory=* | --hosts=* | --db=* | --ssh-config=* | -i?* | \
		    -H?* | -F?*)
			printf '%s\n' "$w" ;;
		esac
	done
}

# Print the host names and the group names ($2: "hosts" or "groups" only).
_drove_names()
{
	local -a src
	mapfile -t src < <(_drove_sources)
	[[ $2 == groups ]] || "$1" inventory list "${src[@]}" 2>/dev/null
	[[ $2 == hosts ]] ||
	    "$1" inventory groups "${src[@]}" 2>/dev/null |
	    sed -e 's/^ *//' -e 's/ ([0-9]*)$//'
}

# Complete a host pattern: the names, after the last ',', ':', '!' or '&'.
_drove_pattern()
{
	local cur=$2 pre=""
	if [[ $cur == *[,:\!\&]* ]]; then
		pre=${cur%"${cur##*[,:!&]}"}
		cur=${cur##*[,:!&]}
	fi
	COMPREPLY=($(compgen -P "$pre" -W "$(_drove_names "$1" "$3")" \
	    -- "$cur"))
}

# Complete the value of option $2 of command $4.
_drove_value()
{
	case $4$2 in
	inventory--group | inventory--parent)
		COMPREPLY=($(compgen -W "$(_drove_names "$1" groups)" -- "$3")) ;;
	esac
	((${#COMPREPLY[@]} > 0)) && return
	case $2 in
	--host-key-check)
		COMPREPLY=($(compgen -W 'ask strict accept-new off' -- "$3")) ;;
	--color)
		COMPREPLY=($(compgen -W 'auto always never' -- "$3")) ;;
	--become-method)
		COMPREPLY=($(compgen -W 'sudo su' -- "$3")) ;;
	--become-user)
		COMPREPLY=($(compgen -u -- "$3")) ;;
	-o | --out-dir)
		COMPREPLY=($(compgen -d -- "$3")) ;;
	-l | --user)
		COMPREPLY=($(compgen -u -- "$3")) ;;
	-i | --inventory | -F | --ssh-config | --db | --key | --cert | --known-hosts | \
	    --vault-password-file)
		COMPREPLY=($(compgen -f -- "$3")) ;;
	esac
}

_drove()
{
	local drove=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]}
	local cmd="" w o i nargs=0 takes prev dashdash=""
	local -a opts cmds args

	mapfile -t cmds < <(_drove_commands "$drove")
	# the command, its options, the value an option waits for
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ -n $takes ]]; then
			takes=""
			continue
		fi
		if [[ $w == -- && -z $dashdash ]]; then
			dashdash=1
			continue
		fi
		if [[ $w == -* && -z $dashdash ]]; then
			[[ $w == *=* ]] && continue
			if [[ -z $cmd ]]; then
				opts=($_drove_common)
			else
				mapfile -t opts < <(_drove_options "$drove" "$cmd")
			fi
			for o in "${opts[@]}"; do
				[[ $o == "$w=" ]] && takes=1
			done
			continue
		fi
		if [[ -z $cmd ]]; then
			for o in "${cmds[@]}"; do
				[[ $o == "$w"* ]] && cmd=$o && [[ $o == "$w" ]] &&
				    break
			done
			[[ -z $cmd ]] && return 0
			continue
		fi
		args[nargs++]=$w
	done
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	if [[ -n $takes ]]; then
		_drove_value "$drove" "$prev" "$cur" "$cmd"
		return 0
	fi
	if [[ $cur == -* && -z $dashdash ]]; then
		if [[ -z $cmd ]]; then
			opts=($_drove_common --help --version)
		else
			mapfile -t opts < <(_drove_options "$drove" "$cmd")
		fi
		COMPREPLY=($(compgen -W "${opts[*]%=}" -- "$cur"))
		return 0
	fi
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "${cmds[*]}" -- "$cur"))
		return 0
	fi
	case $cmd in
	run | console | shell | keyscan | push | pull | sessions)
		if ((nargs == 0)); then
			_drove_pattern "$drove" "$cur"
		elif [[ $cmd == push || $cmd == pull ]]; then
			COMPREPLY=($(compgen -f -- "$cur"))
		fi ;;
	inventory)
		case $nargs:${args[0]}:${args[1]} in
		0::)
			COMPREPLY=($(compgen -W "$("$drove" inventory --help |
			    awk '/^  [a-z]/ { print $1 }')" -- "$cur")) ;;
		1:import:)
			COMPREPLY=($(compgen -f -- "$cur")) ;;
		1:list: | 1:rm:)
			_drove_pattern "$drove" "$cur" ;;
		1:show:)
			_drove_pattern "$drove" "$cur" hosts ;;
		1:group:)
			COMPREPLY=($(compgen -W 'add rm' -- "$cur")) ;;
		2:group:rm)
			COMPREPLY=($(compgen -W "$(_drove_names "$drove" groups)" \
			    -- "$cur")) ;;
		esac ;;
	history)
		((nargs == 0)) &&
		    COMPREPLY=($(compgen -W 'show diff' -- "$cur")) ;;
	play)
		((nargs == 0)) && COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
	return 0
}

complete -F _drove drove
