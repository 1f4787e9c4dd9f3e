#!/bin/sh
# layers.sh: hold src/'s parts to the include rules their READMEs state.
#
# Each folder src/PART/ has a README with one line
#     May include: PART, PART, ...     (or "May include: nothing")
# naming the other parts whose headers its files may #include "PART/x.h";
# a part may always include its own headers and the public drove.h.  Only
# the parts named "libssh2" in that line may include <libssh2*.h>.  Every
# #include "..." names its part ("engine/sess.h"), so a file outside src/
# (or a typo) is an error too.  Prints one line per broken rule, naming the
# file, the line and the rule, and exits 1; silent and 0 when all hold.
#
#   sh tests/layers.sh [SRC_DIR]      (default: src)
src=${1:-src}
rc=0
for dir in "$src"/*/; do
	dir=${dir%/}
	part=$(basename "$dir")
	readme=$dir/README
	if ! [ -f "$readme" ]; then
		echo "$readme: missing (it says what $part owns and may include)"
		rc=1
		continue
	fi
	allowed=$(sed -n 's/^May include: *//p' "$readme" | tr -d ' ')
	if [ -z "$allowed" ]; then
		echo "$readme: no 'May include:' line"
		rc=1
		continue
	fi
	for f in "$dir"/*.c "$dir"/*.h; do
		[ -f "$f" ] || continue
		awk -v part="$part" -v allowed="$allowed" -v readme="$readme" '
		BEGIN {
			n = split(allowed, a, ",")
			ok[part] = 1
			for (i = 1; i <= n; i++)
				ok[a[i]] = 1
		}
		/^[ \t]*#[ \t]*include[ \t]*"/ {
			inc = $0
			sub(/^[^"]*"/, "", inc)
			sub(/".*$/, "", inc)
			if (inc == "drove.h")
				next
			if (index(inc, "/") == 0) {
				printf "%s:%d: #include \"%s\" names no part " \
				    "(write \"PART/%s\")\n", FILENAME, FNR,
				    inc, inc
				bad = 1
				next
			}
			p = substr(inc, 1, index(inc, "/") - 1)
			if (!(p in ok)) {
				shown = allowed
				gsub(/,/, ", ", shown)
				printf "%s:%d: #include \"%s\": %s may " \
				    "include %s only (%s)\n", FILENAME, FNR,
				    inc, part, shown, readme
				bad = 1
			}
			next
		}
		/^[ \t]*#[ \t]*include[ \t]*<libssh2/ {
			if (!("libssh2" in ok)) {
				inc = $0
				sub(/^[^<]*/, "", inc)
				printf "%s:%d: #include %s: %s may not use " \
				    "libssh2 (%s)\n", FILENAME, FNR, inc,
				    part, readme
				bad = 1
			}
		}
		END { exit bad }' "$f" || rc=1
	done
done
exit $rc
