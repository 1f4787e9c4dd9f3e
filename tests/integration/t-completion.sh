#!/bin/sh
# t-completion.sh: the bash completion (contrib/completion/drove.bash)
# completes the commands of "drove --help", a unique prefix, every long
# option of "drove CMD --help" for every command (and the common options
# exactly where the help shows them), option values, and host and group
# names from the inventory the line names (-i, --inventory=, -H, --db, the
# configuration file's), after a pattern's ',', ':' or '!', and the
# inventory subcommands.  The zsh completion (_drove) parses and registers
# itself for drove with compinit.
. tests/fixtures/lib.sh

fx_init
HOME=$FX_DIR/home
DROVE_HOME=$FX_DIR/drove-home
unset DROVE_CONFIG XDG_CONFIG_HOME
export HOME DROVE_HOME
mkdir -p "$HOME" "$DROVE_HOME"
BASH_COMP=$FX_ROOT/contrib/completion/drove.bash
ZSH_COMP=$FX_ROOT/contrib/completion/_drove
command -v bash >/dev/null || fx_fail "no bash"

cat >"$FX_DIR/inv.yml" <<'YAML'
all:
  children:
    web:
      hosts:
        web[01:03]:
      children:
        webeu:
          hosts:
            web01:
    db:
      hosts:
        db01:
YAML
cd "$FX_DIR" || exit 1

# comp WORD...: what completing the last WORD of "drove WORD..." offers,
# sorted, on one line.
comp()
{
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
	    _drove; printf "%s\n" "${COMPREPLY[@]}"' comp "$BASH_COMP" \
	    "$DROVE" "$@" | sort | tr '\n' ' ' | sed 's/ $//'
}

# commands, and a prefix
want=$("$DROVE" --help | awk '/^commands:/ { on = 1; next }
    on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }' | sort |
    tr '\n' ' ' | sed 's/ $//')
fx_assert_match '^console history inventory keyscan ' "$want"
fx_assert_eq "$want" "$(comp '')" "the commands of drove --help"
fx_assert_eq "replay run" "$(comp r)"
fx_assert_eq "--vault-password-file --version --help" "$(comp --v) $(comp --he)" \
    "before a command (common options may stand there)"

# every long option of every command's help is offered
for c in $want; do
	offered=" $(comp "$c" --) "
	for o in $("$DROVE" "$c" --help | grep -oE -- '--[a-z][a-z0-9-]*' |
	    grep -vx -- --help | sort -u); do
		case $offered in
		*" $o "*) ;;
		*) fx_fail "drove $c --: $o not offered: $offered" ;;
		esac
	done
done
fx_assert_eq "--gather" "$(comp run --ga)"
fx_assert_eq "--max-startups --mkdir --mode" "$(comp push --m)" \
    "push: its own and the common ones"
fx_assert_eq "--forks" "$(comp push --fo)" "push takes the common options"
fx_assert_eq "" "$(comp push --ga)" "push has no --gather"
fx_assert_eq "--db --json" "$(comp sessions --)"
fx_assert_eq "--idle-limit" "$(comp replay --i)"
fx_assert_eq "--replace" "$(comp inventory import --re)"
# the script's common options are the options run, shell and keyscan share
common=$(bash -c '. "$1"; printf "%s\n" $_drove_common' x "$BASH_COMP" |
    sed 's/=$//' | sort | tr '\n' ' ')
for c in run shell keyscan; do
	"$DROVE" "$c" --help | sed -n 's/^ *\(-.*\)$/\1/p' | sed 's/   .*//' |
	    grep -oE -- '(^|[ ,])--?[a-zA-Z][a-zA-Z0-9-]*' |
	    sed 's/^[ ,]*//' | sort -u >"$FX_DIR/opts.$c"
done
shared=$(comm -12 "$FX_DIR/opts.run" "$FX_DIR/opts.shell" |
    comm -12 - "$FX_DIR/opts.keyscan" | tr '\n' ' ')
fx_assert_eq "$shared" "$common" "_drove_common"

# option values
fx_assert_eq "accept-new ask" "$(comp run --host-key-check a)"
fx_assert_eq "always auto never" "$(comp -i inv.yml run --color '')"
fx_assert_eq "inv.yml" "$(comp run -i in)" "-i takes a file"
fx_assert_eq "inv.yml" "$(comp --inventory in)"
mkdir "$FX_DIR/outdir"
fx_assert_eq "outdir" "$(comp run -o ou)" "-o takes a directory"

# host and group names from the inventory the line names
fx_assert_eq "web web01 web02 web03 webeu" "$(comp -i inv.yml run w)"
fx_assert_eq "db db01" "$(comp run --inventory=inv.yml -f 4 d)"
fx_assert_eq "db db01" "$(comp run -i inv.yml -- d)" "after --"
fx_assert_eq "web:!web web:!web01 web:!web02 web:!web03 web:!webeu" \
    "$(comp -i inv.yml run 'web:!w')"
fx_assert_eq "db01,web02" "$(comp -i inv.yml shell db01,web02)"
fx_assert_eq "" "$(comp -i inv.yml run db01 d)" "the command is not a host"
fx_assert_eq "" "$(comp -i inv.yml shell db01 -- -)" "nor after --"
fx_assert_eq "a1 a2 all" "$(comp -H a1,a2 keyscan a)" "-H hosts"
fx_run "$DROVE" inventory --db "$FX_DIR/x.db" import inv.yml
fx_assert_eq 0 "$FX_RC"
fx_assert_eq "db db01" "$(comp pull --db x.db d)" "--db"
echo "inventory = $FX_DIR/inv.yml" >"$DROVE_HOME/config"
fx_assert_eq "web web01 web02 web03 webeu" "$(comp run w)" \
    "the configuration file's inventory"
rm "$DROVE_HOME/config"

# inventory subcommands and their names
fx_assert_eq "add export group groups import list rm show" \
    "$(comp inventory '')"
fx_assert_eq "db01 web01 web02 web03" "$(comp inventory -i inv.yml show '')"
fx_assert_eq "all db web webeu" "$(comp inventory -i inv.yml group rm '')"
fx_assert_eq "add rm" "$(comp inventory group '')"
fx_assert_eq "web webeu" "$(comp inventory -i inv.yml add h --group w)"
fx_assert_eq "diff show" "$(comp history '')"
mkdir -p pb && : >pb/site.yml
fx_assert_eq "pb/site.yml" "$(comp play pb/s)" "a playbook file"

command -v zsh >/dev/null || fx_fail "no zsh (make deps installs it)"
fx_run zsh -n "$ZSH_COMP"
fx_assert_eq "0 " "$FX_RC $FX_ERR" "zsh -n _drove"
fx_run zsh -fc 'fpath=("$1" $fpath); autoload -U compinit
    compinit -u -d "$2"; print -r -- $_comps[drove]' zsh \
    "$FX_ROOT/contrib/completion" "$FX_DIR/zcompdump"
fx_assert_eq "0 _drove" "$FX_RC $FX_OUT" "#compdef drove"
echo "t-completion: ok"
