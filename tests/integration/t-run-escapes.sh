#!/bin/sh
# t-run-escapes.sh: a host's output cannot take over the operator's
# terminal.  On a terminal (tmux, TERM=xterm-256color, the screen read
# back), prefixed and gathered output show control characters and escape
# sequences as \xHH (tab kept; colour sequences kept with --host-color),
# so a host can neither fake another host's line with a carriage return,
# clear the screen, set the title nor write the clipboard (OSC 52).  So do
# the lines of --diff, the output a play shows, and the outputs "history
# show" and "history diff" print.  Into a pipe or file, in --json
# (escaped) and in -o files the bytes stay exact.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
dr_inventory s1 1 web
# The hostile output: a fake line after \r, a title, a screen clear, an
# OSC 52 clipboard write, a tab, a colour, a C1 CSI (UTF-8), and stderr.
cat >"$FX_DIR/emit.sh" <<'SH'
printf 'real\rweb9999: fake\n'
printf '\033]0;pwned\007title\n'
printf '\033[2Jcleared\n'
printf '\033]52;c;aGlqYWNrZWQ=\007clip\n'
printf 'a\tb\n'
printf '\033[31mred\033[0m plain\n'
printf '\302\233'
printf '2Jc1\n'
printf 'err\033[2Jx\n' >&2
SH
chmod 644 "$FX_DIR/emit.sh"
cmd="sh $FX_DIR/emit.sh"

# What the bytes are, exactly, when stdout and stderr are files.
sh "$FX_DIR/emit.sh" >"$FX_DIR/want.out" 2>"$FX_DIR/want.err"
sed 's/^/web0001: /' "$FX_DIR/want.out" >"$FX_DIR/want-lines.out"

sock=$FX_DIR/tmux.sock
inv="-i '$FX_DIR/inv.yml'"
# Run drove $inv ARGS in a fresh tmux pane (after a marker line), wait for its
# summary and put the screen in $FX_DIR/screen (-e: with its escapes).
on_tmux()
{
	_e=$1
	shift
	tmux -S "$sock" -f /dev/null new-session -d -x 220 -y 50 \
	    "echo MARKER-BEFORE; TERM=xterm-256color '$DROVE' --no-agent \
	    $inv $*; echo MARKER-DONE; sleep 60"
	fx_track "$(tmux -S "$sock" display-message -p '#{pid}')"
	tmux -S "$sock" set-option -g set-clipboard on
	_n=0
	until tmux -S "$sock" capture-pane -p | grep -q MARKER-DONE; do
		_n=$((_n + 1))
		[ $_n -lt 3000 ] || fx_fail "drove did not end in tmux: \
$(tmux -S "$sock" capture-pane -p)"
		sleep 0.01
	done
	tmux -S "$sock" capture-pane -p $_e >"$FX_DIR/screen"
	tmux -S "$sock" display-message -p '#{pane_title}' >"$FX_DIR/title"
	tmux -S "$sock" list-buffers >"$FX_DIR/buffers" 2>&1 || true
	echo "--- screen:" >&2
	cat "$FX_DIR/screen" >&2
	tmux -S "$sock" kill-server
}

# Prefixed lines on a terminal.
on_tmux '' run all "'$cmd'"
screen=$(cat "$FX_DIR/screen")
fx_assert_match '^MARKER-BEFORE$' "$screen" "the screen was not cleared"
fx_assert_match '^web0001: real\\x0dweb9999: fake$' "$screen" \
    "a carriage return is shown, no fake line"
fx_assert_no_match '^web9999: fake' "$screen"
fx_assert_match '^web0001: \\x1b\]0;pwned\\x07title$' "$screen" \
    "the title sequence is shown"
fx_assert_no_match 'pwned' "$(cat "$FX_DIR/title")" "the title is unchanged"
fx_assert_match '^web0001: \\x1b\[2Jcleared$' "$screen"
fx_assert_match '^web0001: \\x1b\]52;c;aGlqYWNrZWQ=\\x07clip$' "$screen"
fx_assert_no_match 'hijacked|aGlqYWNrZWQ' "$(cat "$FX_DIR/buffers")" \
    "the clipboard was not written"
fx_assert_match '^web0001: a +b$' "$screen" "a tab stays a tab"
fx_assert_match '^web0001: \\x1b\[31mred\\x1b\[0m plain$' "$screen" \
    "colours are shown as text by default"
fx_assert_match '^web0001: \\xc2\\x9b2Jc1$' "$screen" "a UTF-8 C1 CSI too"
fx_assert_match '^web0001: err\\x1b\[2Jx$' "$screen" "stderr too"

# Gathered output on a terminal.
on_tmux '' run --gather all "'$cmd'"
screen=$(cat "$FX_DIR/screen")
fx_assert_match '^MARKER-BEFORE$' "$screen" "gather: not cleared"
fx_assert_match '^real\\x0dweb9999: fake$' "$screen" "gather: \\r shown"
fx_assert_match '^\\x1b\[2Jcleared$' "$screen"
fx_assert_no_match 'pwned' "$(cat "$FX_DIR/title")"
fx_assert_match '^err\\x1b\[2Jx$' "$screen" "gather: stderr too"

# --host-color lets colour (SGR) sequences through, and only those.
on_tmux -e run --host-color all "'$cmd'"
screen=$(cat "$FX_DIR/screen")
fx_assert_match "$(printf 'web0001:.* \033\\[31mred\033\\[(0|39)m plain')" \
    "$screen" "the colour reaches the terminal"
fx_assert_match '\\x1b\[2Jcleared' "$screen" "other sequences still shown"
fx_assert_no_match 'pwned' "$(cat "$FX_DIR/title")"

# Not a terminal: bytes exact, prefixed and gathered.
dr -i "$FX_DIR/inv.yml" run all "$cmd"
fx_assert_eq 0 "$FX_RC"
cmp "$FX_DIR/run.out" "$FX_DIR/want-lines.out" ||
    fx_fail "prefixed output to a file is not byte-exact"
fx_assert_eq "web0001: $(cat "$FX_DIR/want.err")" "$(cat "$FX_DIR/run.err" |
    grep '^web0001: err')" "stderr to a file is exact"
dr -i "$FX_DIR/inv.yml" run --gather -q all "$cmd"
fx_assert_eq 0 "$FX_RC"
grep -q "$(printf 'real\rweb9999')" "$FX_DIR/run.out" ||
    fx_fail "gathered output to a file is not exact"
grep -q "$(printf '\033\\[2Jcleared')" "$FX_DIR/run.out" ||
    fx_fail "gathered output to a file lost the escape"

# -o files are exact even when stdout is a terminal.
on_tmux '' run -o "'$FX_DIR/o'" all "'$cmd'"
cmp "$FX_DIR/o/web0001.out" "$FX_DIR/want.out" || fx_fail "-o .out not exact"
cmp "$FX_DIR/o/web0001.err" "$FX_DIR/want.err" || fx_fail "-o .err not exact"

# --json escapes, and says the bytes exactly.
dr -i "$FX_DIR/inv.yml" run --json all "$cmd"
fx_assert_eq 0 "$FX_RC"
fx_assert_match '"stdout":"real\\rweb9999: fake\\n\\u001b\]0;pwned\\u0007title' \
    "$FX_OUT" "--json escapes control characters"

# The screen after on_tmux shows no sign of a takeover: nothing cleared
# it, the title is unchanged.  $1 names the case.
untouched()
{
	fx_assert_match '^MARKER-BEFORE$' "$(cat "$FX_DIR/screen")" \
	    "$1: the screen was not cleared"
	fx_assert_no_match 'pwned' "$(cat "$FX_DIR/title")" \
	    "$1: the title is unchanged"
}

# --diff on a terminal: two hosts differ in a line that sets the title and
# clears the screen; the diff's lines (context too) are shown as text.
fx_inventory web 2 s1 g1 "$FX_USER" >"$FX_DIR/inv2.yml"
cat >"$FX_DIR/emit2.sh" <<'SH'
sh "${0%/*}/emit.sh" 2>/dev/null
printf '\033]0;pwned\007\033[2Jpid%s\n' $$
SH
chmod 644 "$FX_DIR/emit2.sh"
cmd2="sh $FX_DIR/emit2.sh"
inv="-i '$FX_DIR/inv2.yml'"
on_tmux '' run --diff all "'$cmd2'"
screen=$(cat "$FX_DIR/screen")
untouched diff
fx_assert_match '^-\\x1b\]0;pwned\\x07\\x1b\[2Jpid[0-9]+$' "$screen" \
    "diff: the reference's line is shown"
fx_assert_match '^\+\\x1b\]0;pwned\\x07\\x1b\[2Jpid[0-9]+$' "$screen" \
    "diff: the other host's line is shown"
fx_assert_match '^ \\xc2\\x9b2Jc1$' "$screen" "diff: context lines too"
# Into a file, the diff's lines are exact.
dr -i "$FX_DIR/inv2.yml" run --diff all "$cmd2"
grep -q "$(printf '^+\033]0;pwned\007\033\\[2Jpid')" "$FX_DIR/run.out" ||
    fx_fail "diff to a file is not exact"

# drove play on a terminal: a failed task shows its output, indented,
# shown as text.
cat >"$FX_DIR/play.yml" <<EOF
- name: hostile
  hosts: all
  tasks:
    - name: emit
      run: $cmd; exit 3
EOF
inv="-i '$FX_DIR/inv.yml'"
on_tmux '' play "'$FX_DIR/play.yml'"
screen=$(cat "$FX_DIR/screen")
untouched play
fx_assert_match '^    real\\x0dweb9999: fake$' "$screen" "play: \\r shown"
fx_assert_match '^    \\x1b\[2Jcleared$' "$screen" "play: escapes shown"
fx_assert_match '^    err\\x1b\[2Jx$' "$screen" "play: stderr too"
dr -i "$FX_DIR/inv.yml" play "$FX_DIR/play.yml"
grep -q "$(printf '^    real\rweb9999: fake$')" "$FX_DIR/run.out" ||
    fx_fail "play's output to a file is not exact"

# history show and history diff print recorded outputs: on a terminal as
# text too, into a file exact.
DROVE_HOME=$FX_DIR/hist
export DROVE_HOME
dr -i "$FX_DIR/inv2.yml" run all "$cmd2"
dr -i "$FX_DIR/inv2.yml" run all "$cmd2"
inv=
on_tmux '' history show 2
screen=$(cat "$FX_DIR/screen")
untouched "history show"
fx_assert_match '^\\x1b\[2Jcleared$' "$screen" "history show: shown"
on_tmux '' history diff 1 2
screen=$(cat "$FX_DIR/screen")
untouched "history diff"
fx_assert_match '^\+\\x1b\]0;pwned\\x07\\x1b\[2Jpid[0-9]+$' "$screen" \
    "history diff: shown"
dr history show 2
grep -q "$(printf '^\033\\[2Jcleared$')" "$FX_DIR/run.out" ||
    fx_fail "history show to a file is not exact"
