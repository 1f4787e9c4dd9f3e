#!/bin/sh
# t-ctypes.sh: libdrove.so from Python 3 through ctypes (stdlib only): the
# fleet API runs a command on two hosts with an event callback, and the
# blocking client connects (refused, then for real), runs a command and
# moves a file (tests/ctypes/drove.py).  A sanitizer build's library needs
# its runtimes preloaded into python.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

case $O in
*-san)
	LD_PRELOAD="$(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)"
	ASAN_OPTIONS=detect_leaks=0
	export LD_PRELOAD ASAN_OPTIONS ;;
esac
fx_sshd s1
fx_known_hosts s1 >"$FX_DIR/kh"
fx_run python3 "$FX_ROOT/tests/ctypes/drove.py" "$O/libdrove.so" \
    "$FX_DIR/kh" "$FX_KEY" "$FX_PORT_s1" "$(fx_closed_port)" "$FX_DIR"
fx_assert_eq 0 "$FX_RC" "the ctypes smoke test"
fx_assert_match '^ok stat size and mode$' "$FX_OUT" "it ran to the end"
