#!/bin/sh
# t-install.sh: make install puts the binary, both libraries, the header and
# drove.pc under DESTDIR; libdrove.so exports only drove_* symbols; a program
# built with pkg-config against the installed library runs on the fixture.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

san=
cflags=
case $O in
*-san) san=SAN=1 cflags="-fsanitize=address,undefined" ;;
esac
dest=$FX_DIR/inst
fx_run make -s -C "$FX_ROOT" install $san PREFIX=/usr DESTDIR="$dest"
fx_assert_eq 0 "$FX_RC" "make install"
for f in bin/drove lib/libdrove.a lib/libdrove.so.0 lib/libdrove.so \
    include/drove.h lib/pkgconfig/drove.pc share/man/man1/drove.1 \
    share/bash-completion/completions/drove share/zsh/site-functions/_drove; do
	[ -e "$dest/usr/$f" ] || fx_fail "not installed: $f"
done
fx_assert_match 'SONAME.*libdrove\.so\.0' \
    "$(objdump -p "$dest/usr/lib/libdrove.so")" "the SONAME"
fx_assert_eq "" "$(nm -D --defined-only "$dest/usr/lib/libdrove.so" |
    awk '{print $3}' | grep -v '^drove_')" "only drove_* exported"

export PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_PATH="$dest/usr/lib/pkgconfig"
# Every example builds against the installed library (t-fleet-step and
# the others run them); fleet-run also runs from here.
for ex in "$FX_ROOT"/contrib/examples/*.c; do
	name=$(basename "$ex" .c)
	fx_run sh -c "cc $cflags -o '$FX_DIR/$name' '$ex' \
	    \$(pkg-config --cflags --libs drove)"
	fx_assert_eq 0 "$FX_RC" "$name against the installed library"
done

# The installed header alone compiles as strict C99 and as C++, and links
# from C++.
printf '#include <drove.h>\nint main(void) { return drove_version() == 0; }\n' \
    >"$FX_DIR/hdr.c"
cp "$FX_DIR/hdr.c" "$FX_DIR/hdr.cpp"
fx_run sh -c "cc -std=c99 -pedantic -Wall -Wextra -Werror -c \
    -o '$FX_DIR/hdr.o' '$FX_DIR/hdr.c' \$(pkg-config --cflags drove)"
fx_assert_eq 0 "$FX_RC" "drove.h under -std=c99 -pedantic"
fx_run sh -c "c++ $cflags -std=c++11 -pedantic -Wall -Wextra -Werror \
    -o '$FX_DIR/hdr-cxx' '$FX_DIR/hdr.cpp' \$(pkg-config --cflags --libs drove)"
fx_assert_eq 0 "$FX_RC" "drove.h from C++"
fx_run env LD_LIBRARY_PATH="$dest/usr/lib" "$FX_DIR/hdr-cxx"
fx_assert_eq 0 "$FX_RC" "the C++ program ran"

fx_sshd s1
fx_known_hosts s1 >"$FX_DIR/kh"
fx_run env LD_LIBRARY_PATH="$dest/usr/lib" "$FX_DIR/fleet-run" "$FX_DIR/kh" \
    "$FX_KEY" 'echo from-lib' "$FX_USER@127.0.0.1:$FX_PORT_s1"
fx_assert_eq 0 "$FX_RC" "the example ran"
fx_assert_match '^\{"host":"127.0.0.1","status":"ok","exit":0,.*"stdout":"from-lib\\n"' \
    "$FX_OUT" "its JSON line"
fx_run env LD_LIBRARY_PATH="$dest/usr/lib" "$FX_DIR/client-exec" "$FX_DIR/kh" \
    "$FX_KEY" "$FX_USER" 127.0.0.1 "$FX_PORT_s1" 'echo from-client'
fx_assert_eq 0 "$FX_RC" "client-exec ran"
fx_assert_eq from-client "$FX_OUT" "client-exec output"
