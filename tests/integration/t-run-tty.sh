#!/bin/sh
# t-run-tty.sh: stdin's end on a pty (run --tty), on OpenSSH and dropbear.
# A channel EOF is no end there (dropbear from 2024 hangs the command up on
# it, OpenSSH's command never sees it): drove types the terminal's EOF
# character instead, so a command outlives the end of its stdin and one
# that reads stdin to its end ends, with or without a last newline.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

dr_two_servers

# No stdin: the command runs past its end.
dr -i "$FX_DIR/inv.yml" --no-history run --tty all 'sleep 1; echo done'
fx_assert_eq 0 "$FX_RC" "a command outlives stdin's end"
fx_assert_eq "dropbear: done
openssh:  done" "$(printf '%s\n' "$FX_OUT" | sort)" "both hosts"

# A reader of stdin gets its end: none, a last line without a newline, and
# one with.
dr -i "$FX_DIR/inv.yml" --no-history --timeout 20 run --tty all \
    'cat; echo end'
fx_assert_eq 0 "$FX_RC" "no stdin: cat ends"
fx_assert_eq "dropbear: end
openssh:  end" "$(printf '%s\n' "$FX_OUT" | sort)" "no stdin: output"
for last in 'two' 'two\n'; do
	printf "one\\n$last" >"$FX_DIR/in"
	fx_run sh -c 'exec "$@" <"$0"' "$FX_DIR/in" "$DROVE" --no-agent \
	    -i "$FX_DIR/inv.yml" --no-history --timeout 20 run --tty all \
	    'cat; echo; echo end'
	fx_assert_eq 0 "$FX_RC" "stdin '$last': cat ends"
	fx_assert_eq "dropbear: one
dropbear: two
dropbear: end" "$(printf '%s\n' "$FX_OUT" | grep '^dropbear' |
	    grep -v '^dropbear: $')" "stdin '$last': dropbear's output"
	fx_assert_eq "openssh:  one
openssh:  two
openssh:  end" "$(printf '%s\n' "$FX_OUT" | grep '^openssh' |
	    grep -v '^openssh: *$')" "stdin '$last': OpenSSH's output"
done
