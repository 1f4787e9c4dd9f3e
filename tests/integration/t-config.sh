#!/bin/sh
# t-config.sh: the configuration file.  Where it is found ($DROVE_CONFIG,
# $DROVE_HOME/config, $XDG_CONFIG_HOME/drove/config, ~/.config/drove/config);
# each key's effect against a real sshd (forks, timeout, connect_timeout,
# retries, keepalive, hostkey_policy, known_hosts, inventory, output, color,
# record, history) and the command line winning over it; comments, blank
# lines and a later line winning; and the errors (FILE:LINE and the key or
# value, exit 2, nothing run).
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
dr_inventory s1 3
DROVE_HOME=$FX_DIR/dh
export DROVE_HOME
unset DROVE_CONFIG XDG_CONFIG_HOME DROVE_RECORD DROVE_NO_HISTORY DROVE_DEBUG
mkdir -p "$DROVE_HOME"
CONF=$DROVE_HOME/config
INV=$FX_DIR/inv.yml

# conf LINE...: write the configuration file.
conf()
{
	printf '%s\n' "$@" >"$CONF"
}

# runs: the number of runs in the history (whatever the file says).
runs()
{
	DROVE_CONFIG=/dev/null "$DROVE" history --json | grep -c '^{' || true
}

# No file: nothing changes.
dr -i "$INV" run all 'echo hi'
fx_assert_eq 0 "$FX_RC"
fx_assert_match '^h0001: hi$' "$FX_OUT"
base=$(runs)

# Where the file is: each place in turn, named by the error it holds.
conf 'nosuch = 1'
dr -i "$INV" run all true
fx_assert_eq 2 "$FX_RC" "an unknown key in \$DROVE_HOME/config"
fx_assert_eq "drove: $CONF:1: unknown key 'nosuch'" "$FX_ERR"
mkdir -p "$FX_DIR/xdg/drove" "$HOME/.config/drove"
echo 'xdg = 1' >"$FX_DIR/xdg/drove/config"
echo 'home = 1' >"$HOME/.config/drove/config"
echo 'own = 1' >"$FX_DIR/own"
fx_run env -u DROVE_HOME XDG_CONFIG_HOME="$FX_DIR/xdg" "$DROVE" run all true
fx_assert_eq "2 drove: $FX_DIR/xdg/drove/config:1: unknown key 'xdg'" \
    "$FX_RC $FX_ERR"
fx_run env -u DROVE_HOME "$DROVE" run all true
fx_assert_eq "2 drove: $HOME/.config/drove/config:1: unknown key 'home'" \
    "$FX_RC $FX_ERR"
fx_run env DROVE_CONFIG="$FX_DIR/own" "$DROVE" run all true
fx_assert_eq "2 drove: $FX_DIR/own:1: unknown key 'own'" "$FX_RC $FX_ERR"
rm -r "$FX_DIR/xdg" "$HOME/.config"

# The errors: FILE:LINE, the key or value, exit 2, nothing run or recorded.
conf '# defaults' '' 'forks = 4' '  output = tree  ' 'forks = 2'
dr -i "$INV" run all 'echo ran'
fx_assert_eq "2 " "$FX_RC $FX_OUT" "a bad value runs nothing"
fx_assert_eq "drove: $CONF:4: bad value for output: 'tree' (lines, gather, \
json or diff)" "$FX_ERR"
fx_assert_eq "$base" "$(runs)" "a bad file records nothing"
for bad in 'forks = many|forks|a number of hosts' \
    'forks = -1|forks|a number of hosts' 'timeout = soon|timeout|seconds' \
    'connect_timeout = 1x|connect_timeout|seconds' \
    'retries = 101|retries|0 to 100' 'keepalive = 1.5|keepalive|seconds' \
    'hostkey_policy = trusting|hostkey_policy|ask, strict, accept-new or off' \
    'color = sometimes|color|auto, always or never' \
    'record = maybe|record|yes or no' 'history = 1|history|yes or no'; do
	line=${bad%%|*}
	rest=${bad#*|}
	conf "$line"
	dr -i "$INV" run all 'echo ran'
	key=${rest%%|*}
	fx_assert_eq \
	    "2 drove: $CONF:1: bad value for $key: '${line#* = }' (${rest#*|})" \
	    "$FX_RC $FX_ERR"
	fx_assert_eq "" "$FX_OUT"
done
conf 'inventory ='
dr run all true
fx_assert_eq "2 drove: $CONF:1: bad value for inventory: ''" "$FX_RC $FX_ERR"
conf 'forks 8'
dr -i "$INV" run all true
fx_assert_eq "2 drove: $CONF:1: missing '=' in 'forks 8'" "$FX_RC $FX_ERR"
rm "$CONF"
mkdir "$CONF"
dr -i "$INV" run all true
fx_assert_eq "2 drove: read $CONF: Is a directory" "$FX_RC $FX_ERR"
rmdir "$CONF"
fx_run env DROVE_CONFIG="$FX_DIR/none" "$DROVE" run all true
fx_assert_eq "2 drove: open $FX_DIR/none: No such file or directory" \
    "$FX_RC $FX_ERR" "a file named by DROVE_CONFIG must exist"
fx_assert_eq "$base" "$(runs)"

# inventory: read when no -i, -H or --db is given; "~/" is $HOME.
cp "$INV" "$HOME/fleet.yml"
conf 'inventory = ~/fleet.yml'
dr run all 'echo inv'
fx_assert_eq "0 3" "$FX_RC $(printf '%s\n' "$FX_OUT" | grep -c ': inv$')"
closed=$(fx_closed_port)
dr -H "127.0.0.1:$closed" --retries 0 run all true
fx_assert_eq 3 "$FX_RC" "-H wins over the file's inventory"
fx_assert_match "^1 host: 1 refused$" "$FX_ERR"

# output and color, and the options that win over them; a later line wins.
conf "inventory = $INV" 'output = json'
dr run all 'echo j'
fx_assert_eq 0 "$FX_RC"
fx_assert_eq 3 "$(printf '%s\n' "$FX_OUT" |
    grep -c '^{"host":"h000[1-3]","status":"ok",.*"stdout":"j\\n"')"
dr run -g all 'echo j'
fx_assert_match '^h\[0001-0003\] \(exit 0\)$' "$FX_OUT" "-g wins over json"
conf "inventory = $INV" 'output = json' 'output = gather'
dr run all 'echo g'
fx_assert_match '^h\[0001-0003\] \(exit 0\)$' "$FX_OUT" "the later line"
conf "inventory = $INV" 'output = diff'
dr run all 'echo d'
fx_assert_match "^3 of 3 hosts match the reference output$" "$FX_OUT"
conf "inventory = $INV" 'output = lines' 'color = always'
dr run h0001 'echo c'
fx_assert_match "$(printf '\033')" "$FX_OUT" "color = always"
dr run --color never h0001 'echo c'
fx_assert_eq "h0001: c" "$FX_OUT" "--color never wins"
dr push --retries 0 all "$INV" /tmp/
fx_assert_match "$(printf '\033')" "$FX_OUT" "push takes color too"
conf "inventory = $INV" 'output = gather'
mkdir "$FX_DIR/pulled"
dr pull h0001 /etc/hostname "$FX_DIR/pulled"
fx_assert_eq 0 "$FX_RC" "pull has no gather: the key leaves it alone"
fx_assert_match '^h0001: ' "$FX_OUT"

# history = no, record = no; the history keeps the words the user typed.
conf "inventory = $INV" 'output = gather'
n=$(runs)
dr run all true
fx_assert_eq $((n + 1)) "$(runs)" "history = yes by default"
fx_assert_match "\"line\":\"drove run --no-agent all true\"" \
    "$(DROVE_CONFIG=/dev/null "$DROVE" history --json --limit 1)" \
    "no --gather the user did not type"
conf "inventory = $INV" 'history = no'
dr run all true
fx_assert_eq "0 $((n + 1))" "$FX_RC $(runs)" "history = no"
conf "inventory = $INV" 'record = no'
dr shell h0001 -- echo unrecorded
fx_assert_eq "0 unrecorded" "$FX_RC $FX_OUT"
dr sessions
fx_assert_eq "" "$FX_OUT" "record = no"
fx_run env DROVE_RECORD=yes "$DROVE" --no-agent shell h0001 -- echo again
dr sessions
fx_assert_match '^1 .* h0001 ' "$FX_OUT" "DROVE_RECORD=yes wins over the file"
conf "inventory = $INV" 'record = yes'
dr shell h0001 -- echo recorded
dr sessions
fx_assert_match '^2 .* h0001 ' "$FX_OUT" "record = yes"

# forks: never more than one host between start and done.
conf "inventory = $INV" 'forks = 1'
fx_run env DROVE_DEBUG=1 "$DROVE" --no-agent run all true
fx_assert_eq 0 "$FX_RC"
most=$(printf '%s\n' "$FX_ERR" | awk '/ resolve -> / { n++ }
    / -> (done|failed) / { n-- } n > m { m = n } END { print m }')
fx_assert_eq 1 "$most" "forks = 1 runs one host at a time"

# timeout, and --timeout winning over it.
conf "inventory = $INV" 'timeout = 0.5'
dr run h0001 'sleep 5'
fx_assert_eq 1 "$FX_RC"
dr_summary timeout h0001 'command timed out after 0.500s$'
dr --timeout 30 run h0001 'sleep 1; echo slept'
fx_assert_eq "0 h0001: slept" "$FX_RC $FX_OUT" "--timeout wins"

# connect_timeout and retries, against a server that never speaks and a
# closed port.
fx_silent
conf 'connect_timeout = 0.5' 'retries = 0'
dr -H "127.0.0.1:$FX_SILENT_PORT" run all true
fx_assert_eq 3 "$FX_RC"
fx_assert_match 'timed out after 0.500s during handshake' "$FX_ERR"
conf 'retries = 2' 'output = json'
dr -H "127.0.0.1:$closed" run all true
fx_assert_match '"status":"refused",.*"retries":2' "$FX_OUT" "retries = 2"
dr -H "127.0.0.1:$closed" --retries 0 run all true
fx_assert_match '"status":"refused",.*"retries":0' "$FX_OUT" "--retries wins"

# keepalive: sent while a command is quiet (none at the default of 30s).
conf "inventory = $INV"
dr run h0001 'sleep 2'
fx_assert_no_match 'keepalive@libssh2.org' "$(cat "$FX_LOG_s1")"
conf "inventory = $INV" 'keepalive = 1'
dr run h0001 'sleep 3'
fx_assert_eq 0 "$FX_RC"
fx_assert_match 'keepalive@libssh2.org' "$(cat "$FX_LOG_s1")" "keepalive = 1"

# hostkey_policy and known_hosts.
kh=$FX_DIR/kh
conf "inventory = $INV" "known_hosts = $kh" 'hostkey_policy = strict'
: >"$kh"
dr run h0001 true
fx_assert_eq 3 "$FX_RC" "strict, with the file's known_hosts (empty)"
dr_summary hostkey h0001 'host key for .* is unknown'
dr --host-key-check accept-new run h0001 true
fx_assert_eq 0 "$FX_RC" "--host-key-check wins"
fx_assert_eq 1 "$(grep -c . "$kh")" "the key went into the file's known_hosts"
: >"$kh"
conf "inventory = $INV" "known_hosts = $kh" 'hostkey_policy = accept-new'
dr run all true
fx_assert_eq 0 "$FX_RC" "accept-new"
fx_assert_eq 1 "$(grep -c . "$kh")" "one line for the three names' one key"
dr --known-hosts "$FX_DIR/kh2" run h0001 true
fx_assert_eq 0 "$FX_RC"
fx_assert_eq 1 "$(grep -c . "$FX_DIR/kh2")" "--known-hosts wins"
echo "t-config: ok"
