#!/bin/sh
# t-docs.sh: the man page contrib/drove.1 agrees with the program.  It
# renders without groff warnings; every command of "drove --help" has a
# subsection under COMMANDS and every subsection names a command; every
# option "drove CMD --help" shows is in CMD's subsection, under COMMON
# OPTIONS (when the subsection refers to them) or under OPTIONS; every
# option of CMD's subsection is in "drove CMD --help"; and the program
# accepts every option the page gives a command.  The check also runs on
# broken copies of the page (an option taken out, one made up, a command's
# subsection taken out), which it must reject.
. tests/fixtures/lib.sh

fx_init
HOME=$FX_DIR/home
DROVE_HOME=$FX_DIR/drove-home
unset DROVE_CONFIG XDG_CONFIG_HOME
export HOME DROVE_HOME
mkdir -p "$HOME"
PAGE=contrib/drove.1

# Print the page as plain text, in lines long enough never to break.
render()
{
	groff -mandoc -Tascii -P-cbu -rLL=300n "$1"
}

# Print top-level section TITLE of the rendered page on stdin.
top_section()
{
	awk -v t="$1" '/^[A-Z]/ { on = $0 == t; next } on'
}

# Print the subsection of command CMD under COMMANDS.
cmd_section()
{
	awk -v c="$1" '/^[A-Z]/ { top = $0; on = 0; next }
	    top == "COMMANDS" && /^   [^ ]/ { on = $1 == c; next } on'
}

# Print the commands with a subsection under COMMANDS.
page_commands()
{
	awk '/^[A-Z]/ { top = $0; next }
	    top == "COMMANDS" && /^   [^ ]/ { print $1 }'
}

# Print the options of stdin, one a line: those of the option column (lines
# that start with a dash, up to the first run of spaces), of usage lines,
# and those in brackets.
options()
{
	tee "$FX_DIR/options.in" | sed -n -e 's/^ *\(-.*\)$/\1/p' \
	    -e 's/^ *\(usage: .*\)$/\1/p' -e 's/^ *\(drove .*\)$/\1/p' |
	    sed 's/   .*//' |
	    grep -oE -- '(^|[][ ,|])--?[a-zA-Z][a-zA-Z0-9-]*' |
	    sed 's/^[^-]*//' >"$FX_DIR/options.out"
	grep -oE -- '\[--?[a-zA-Z][a-zA-Z0-9-]*' "$FX_DIR/options.in" |
	    sed 's/^.//' >>"$FX_DIR/options.out"
	sort -u "$FX_DIR/options.out"
}

# Print the commands of "drove --help".
help_commands()
{
	"$DROVE" --help | awk '/^commands:/ { on = 1; next }
	    on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }'
}

# Whether "drove CMD" accepts option OPT (getopt does not reject it).  The
# answers are kept in ACCEPTED (" CMD:OPT:y" or ":n"), since every check of
# a page asks the same questions and a process costs milliseconds.
ACCEPTED=' '
accepted()
{
	case $ACCEPTED in
	*" $1:$2:y "*) return 0 ;;
	*" $1:$2:n "*) return 1 ;;
	esac
	case $2 in
	--*)
		! "$DROVE" "$1" "$2=1" --help 2>&1 >/dev/null |
		    grep -qE "unknown option '$2'|option '$2' is ambiguous"
		;;
	*)
		! "$DROVE" "$1" "${2}1" --help 2>&1 >/dev/null |
		    grep -q "unknown option '$2'"
		;;
	esac && ok=y || ok=n
	ACCEPTED="$ACCEPTED$1:$2:$ok "
	[ $ok = y ]
}

# Print the lines of file $1 that are in none of the files after it.
missing()
{
	_in=$1
	shift
	for _f; do
		set -- "$@" -f "$_f"
		shift
	done
	grep -vxF "$@" "$_in"
}

# Print every disagreement between page $1 and the program, one a line.
check_page()
{
	render "$1" >"$FX_DIR/page.txt" || echo "cannot render $1"
	help_commands >"$FX_DIR/help-cmds"
	page_commands <"$FX_DIR/page.txt" >"$FX_DIR/page-cmds"
	[ -s "$FX_DIR/help-cmds" ] || echo "drove --help lists no command"
	while read -r c; do
		grep -qx "$c" "$FX_DIR/page-cmds" ||
		    echo "command $c: no section under COMMANDS"
	done <"$FX_DIR/help-cmds"
	while read -r c; do
		grep -qx "$c" "$FX_DIR/help-cmds" ||
		    echo "section $c: no such command in drove --help"
	done <"$FX_DIR/page-cmds"
	top_section OPTIONS <"$FX_DIR/page.txt" | options >"$FX_DIR/global"
	top_section "COMMON OPTIONS" <"$FX_DIR/page.txt" |
	    options >"$FX_DIR/common"
	[ -s "$FX_DIR/common" ] || echo "no COMMON OPTIONS"
	"$DROVE" run --help | options >"$FX_DIR/run-help"
	missing "$FX_DIR/common" "$FX_DIR/run-help" |
	    sed 's/.*/common option &: not in drove run --help/'
	while read -r o; do
		"$DROVE" "$o" >/dev/null 2>&1 ||
		    echo "option $o: drove $o fails"
	done <"$FX_DIR/global"
	while read -r c; do
		check_command "$c"
	done <"$FX_DIR/help-cmds"
}

# Print the disagreements about command $1's options.
check_command()
{
	"$DROVE" "$1" --help | options >"$FX_DIR/help"
	cmd_section "$1" <"$FX_DIR/page.txt" >"$FX_DIR/sect"
	options <"$FX_DIR/sect" >"$FX_DIR/man"
	cp "$FX_DIR/man" "$FX_DIR/takes"
	# the words may be on two lines (groff 1.23 breaks long paragraphs
	# even at -rLL=300n)
	if tr -s ' \n' '  ' <"$FX_DIR/sect" | grep -q "COMMON OPTIONS"; then
		cat "$FX_DIR/common" >>"$FX_DIR/takes"
	fi
	missing "$FX_DIR/help" "$FX_DIR/takes" "$FX_DIR/global" |
	    sed "s/.*/$1 &: in drove $1 --help, not in the man page/"
	missing "$FX_DIR/man" "$FX_DIR/help" |
	    sed "s/.*/$1 &: in the man page, not in drove $1 --help/"
	sort -u "$FX_DIR/takes" >"$FX_DIR/takes.u"
	while read -r o; do
		accepted "$1" "$o" ||
		    echo "$1 $o: in the man page, not accepted by drove $1"
	done <"$FX_DIR/takes.u"
}

# the page renders cleanly, with groff and man
fx_run groff -mandoc -Tutf8 -ww -z "$PAGE"
fx_assert_eq "0 " "$FX_RC $FX_ERR" "groff warnings"
fx_run man --warnings -l "$PAGE"
fx_assert_eq "0 " "$FX_RC $FX_ERR" "man -l warnings"
fx_assert_match "^ +drove run " "$FX_OUT"
for s in NAME SYNOPSIS DESCRIPTION OPTIONS "COMMON OPTIONS" COMMANDS \
    CONFIGURATION ENVIRONMENT FILES "EXIT STATUS" EXAMPLES; do
	fx_assert_match "^$s\$" "$(render "$PAGE")" "section $s"
done
# every variable drove reads is under ENVIRONMENT
env=$(render "$PAGE" | top_section ENVIRONMENT)
for v in $(grep -ohE 'getenv\("[A-Z_]+"\)' src/*/*.c | sort -u |
    sed 's/getenv("\(.*\)")/\1/'); do
	fx_assert_match "(^| )$v( |,|$)" "$env" "$v under ENVIRONMENT"
done

fx_run check_page "$PAGE"
fx_assert_eq "" "$FX_OUT" "the man page disagrees with drove"

# the check sees an option taken out, an option made up, a lost command
grep -v 'Fl \\-gather$' "$PAGE" >"$FX_DIR/no-gather.1"
fx_run check_page "$FX_DIR/no-gather.1"
fx_assert_eq "run --gather: in drove run --help, not in the man page
run -g: in drove run --help, not in the man page" "$FX_OUT"
sed 's/^\.It Fl \\-hash$/.It Fl \\-hash , Fl \\-salt/' "$PAGE" \
    >"$FX_DIR/salt.1"
fx_run check_page "$FX_DIR/salt.1"
fx_assert_eq "keyscan --salt: in the man page, not in drove keyscan --help
keyscan --salt: in the man page, not accepted by drove keyscan" "$FX_OUT"
sed 's/^\.Ss sessions$/.Ss session/' "$PAGE" >"$FX_DIR/no-sessions.1"
fx_run check_page "$FX_DIR/no-sessions.1"
fx_assert_match "^command sessions: no section under COMMANDS$" "$FX_OUT"
fx_assert_match "^section session: no such command" "$FX_OUT"
sed '/^\.It Fl \\-no-agent$/,/^\.Ev SSH_AUTH_SOCK \.$/d' "$PAGE" \
    >"$FX_DIR/no-agent.1"
fx_run check_page "$FX_DIR/no-agent.1"
fx_assert_match "^run --no-agent: in drove run --help, not in the man" \
    "$FX_OUT"
echo "t-docs: ok"
