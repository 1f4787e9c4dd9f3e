#!/bin/sh
# t-layers.sh: tests/layers.sh holds src/'s include rules.  It passes on the
# tree as it is, and fails, naming the file, the line and the rule, on
# copies of src/ with one wrong include each: the engine including a job,
# a part's header named without its folder, the CLI including libssh2, and
# a folder without its README.
. tests/fixtures/lib.sh

fx_init

fx_run sh tests/layers.sh src
fx_assert_eq 0 "$FX_RC" "layers on the tree"
fx_assert_eq "" "$FX_OUT$FX_ERR" "layers prints nothing on the tree"

# A copy of src/ with LINE put after the first #include of FILE.
broken()
{
	rm -rf "$FX_DIR/src"
	cp -R src "$FX_DIR/src"
	sed -i "0,/^#include/s|^#include.*|&\\n$2|" "$FX_DIR/src/$1"
}

broken engine/shard.c '#include "jobs/shell.h"'
line=$(grep -n 'jobs/shell.h' "$FX_DIR/src/engine/shard.c" | cut -d: -f1)
fx_run sh tests/layers.sh "$FX_DIR/src"
fx_assert_eq 1 "$FX_RC" "engine including jobs"
fx_assert_eq "$FX_DIR/src/engine/shard.c:$line: #include \"jobs/shell.h\": engine may include base, libssh2 only ($FX_DIR/src/engine/README)" \
    "$FX_OUT" "engine including jobs: message"

broken inventory/pattern.c '#include "sess.h"'
fx_run sh tests/layers.sh "$FX_DIR/src"
fx_assert_eq 1 "$FX_RC" "include without a part"
fx_assert_match 'inventory/pattern.c:[0-9]+: #include "sess.h" names no part' \
    "$FX_OUT" "include without a part: message"

broken cli/cmd-run.c '#include <libssh2.h>'
fx_run sh tests/layers.sh "$FX_DIR/src"
fx_assert_eq 1 "$FX_RC" "cli including libssh2"
fx_assert_match 'cli/cmd-run.c:[0-9]+: #include <libssh2.h>: cli may not use libssh2' \
    "$FX_OUT" "cli including libssh2: message"

broken store/store.c '#include "output/diff.h"'
fx_run sh tests/layers.sh "$FX_DIR/src"
fx_assert_match 'store/store.c:[0-9]+: #include "output/diff.h": store may include base, inventory only' \
    "$FX_OUT" "store including output: message"

rm -rf "$FX_DIR/src"
cp -R src "$FX_DIR/src"
rm "$FX_DIR/src/output/README"
fx_run sh tests/layers.sh "$FX_DIR/src"
fx_assert_eq 1 "$FX_RC" "folder without README"
fx_assert_match 'output/README: missing' "$FX_OUT" "folder without README: message"
