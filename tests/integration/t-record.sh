#!/bin/sh
# t-record.sh: shell sessions are recorded in asciicast v2 under
# $DROVE_HOME/sessions/ (0600 files in a 0700 directory) and indexed in the
# store; the cast file is checked line by line (header keys, event shapes,
# times that never go back); drove replay plays back what was shown;
# --record-input adds "i" events; --no-record and DROVE_RECORD=no record
# nothing; a session that never connected leaves nothing behind; with --db
# the recording goes beside that store.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
dr_inventory s1 1
DROVE_HOME=$FX_DIR/dh
export DROVE_HOME
unset DROVE_RECORD
shell()
{
	"$DROVE" --no-agent -i "$FX_DIR/inv.yml" shell "$@"
}

# check_cast FILE: fail unless FILE is asciicast v2 with events of TYPES.
check_cast()
{
	head -n 1 "$1" | grep -Eqx '\{"version": 2, "width": [0-9]+, "height": [0-9]+, "timestamp": [0-9]+, "env": \{.*"TERM": ".*"\}\}' ||
	    fx_fail "bad header: $(head -n 1 "$1")"
	bad=$(sed 1d "$1" | grep -Evx '\[[0-9]+\.[0-9]{6}, "['"$2"']", "([^"\\]|\\["\\/bfnrt]|\\u[0-9a-f]{4})*"\]')
	fx_assert_eq "" "$bad" "every line an event of [$2]"
	back=$(sed 1d "$1" | tr -d '[' | cut -d, -f1 |
	    awk 'NR > 1 && $1 < last { print NR ": " $1 " < " last } { last = $1 }')
	fx_assert_eq "" "$back" "times never go back"
}

# A scripted session (no terminal: bytes pipe through), UTF-8 included.
printf 'echo first\nsleep 0.3\nprintf "caf\\303\\251 \\"q\\" tab\\tend\\n"\nexit 5\n' |
    TERM=xterm shell h0001 >"$FX_DIR/shown" 2>"$FX_DIR/err" && rc=0 || rc=$?
fx_assert_eq 5 "$rc" "the session's exit status"
fx_assert_eq "first
café \"q\" tab	end" "$(cat "$FX_DIR/shown")"
dr sessions
fx_assert_eq 0 "$FX_RC"
fx_assert_match '^1 .* h0001 +drovetest .* 5 +[0-9]+$' "$FX_OUT" "listed"
dr sessions --json 'h*'
fx_assert_match '^\{"id": 1, "host": "h0001", "user": "drovetest", .*"exit": 5, ' "$FX_OUT"
fx_assert_match '"size": '"$(stat -c %s "$DROVE_HOME"/sessions/*.cast)"', ' "$FX_OUT"
dr sessions 'nomatch*'
fx_assert_eq "" "$FX_OUT" "a pattern filters"
cast=$(ls "$DROVE_HOME"/sessions/*.cast)
fx_assert_eq 1 "$(printf '%s\n' "$cast" | wc -l)" "one file"
fx_assert_eq 700 "$(stat -c %a "$DROVE_HOME/sessions")" "directory mode"
fx_assert_eq 600 "$(stat -c %a "$cast")" "file mode"
check_cast "$cast" o
fx_assert_match 'caf\\u00e9|café' "$(cat "$cast")" "UTF-8 kept whole"

# Replay shows what the session showed.
dr replay --idle-limit 0 1
fx_assert_eq 0 "$FX_RC"
cmp "$FX_DIR/run.out" "$FX_DIR/shown" || fx_fail "replay differs"
dr replay --speed 1000 1
cmp "$FX_DIR/run.out" "$FX_DIR/shown" || fx_fail "replay --speed differs"
# asciinema reads the file unchanged and prints the same bytes (it wants
# a terminal: script gives it one, with output processing off).
script -qec "stty -opost; asciinema cat '$cast'" /dev/null \
    >"$FX_DIR/asciinema.out" 2>"$FX_DIR/asciinema.err" </dev/null ||
    fx_fail "asciinema cat: $(cat "$FX_DIR/asciinema.err")"
cmp "$FX_DIR/run.out" "$FX_DIR/asciinema.out" ||
    fx_fail "asciinema cat shows other bytes"
dr replay 7
fx_assert_eq 1 "$FX_RC"
fx_assert_match 'no session 7' "$FX_ERR"
echo '[1.0, "o", broken' >>"$cast"
dr replay --idle-limit 0 1
fx_assert_eq 1 "$FX_RC" "a bad file fails"
fx_assert_match 'line [0-9]+: not an event' "$FX_ERR"

# --record-input adds "i" events; --no-record and DROVE_RECORD=no none.
printf 'echo in\nexit\n' | shell --record-input h0001 >/dev/null
cast=$(ls -t "$DROVE_HOME"/sessions/*.cast | head -n 1)
check_cast "$cast" oi
fx_assert_match '"i", "echo in' "$(cat "$cast")" "input recorded"
printf 'exit\n' | shell --no-record h0001
printf 'exit\n' | DROVE_RECORD=no shell h0001
dr -H "127.0.0.1:$(fx_closed_port)" shell 127.0.0.1
fx_assert_eq 255 "$FX_RC"
fx_assert_eq 2 "$(ls "$DROVE_HOME"/sessions | wc -l)" "nothing more recorded"
dr sessions
fx_assert_eq 2 "$(printf '%s\n' "$FX_OUT" | wc -l)" "two sessions indexed"

# With --db, the recording goes beside that store, whatever DROVE_HOME is.
mkdir -m 700 "$FX_DIR/other"
printf 'echo elsewhere\nexit\n' |
    DROVE_HOME=$FX_DIR/none shell --db "$FX_DIR/other/drove.db" h0001 \
    >/dev/null 2>"$FX_DIR/err" && rc=0 || rc=$?
fx_assert_eq 0 "$rc" "a session recorded beside --db: $(cat "$FX_DIR/err")"
fx_assert_eq 1 "$(ls "$FX_DIR/other/sessions" | wc -l)" "recorded beside --db"
fx_assert_eq 2 "$(ls "$DROVE_HOME"/sessions | wc -l)" "nothing under DROVE_HOME"
exit 0
