#!/bin/sh
# run.sh: run the integration tests, each in its own shell with its own log.
#
# Usage: O=build sh tests/integration/run.sh [t-NAME.sh|NAME...]
#
# Runs every tests/integration/t-*.sh (or those named) from the top of the
# tree with O (the build dir, made absolute), DROVE=$O/drove, FX_ROOT (the top
# of the tree) exported and stdin closed.  Each test's output goes to
# $O/test-logs/NAME.log; a test passes by exiting 0.  Prints "ok   NAME" or
# "FAIL NAME" followed by the last lines of its log, then
# "integration: N passed, N failed"; exits 1 on any failure.  A test running
# longer than FX_TEST_TIMEOUT seconds (default 600) is stopped and fails.
cd "$(dirname "$0")/../.." || exit 1
FX_ROOT=$PWD
O=${O:-build}
case $O in
/*) ;;
*) O=$FX_ROOT/$O ;;
esac
DROVE=$O/drove
export O DROVE FX_ROOT
logs=$O/test-logs
mkdir -p "$logs" || exit 1

if [ $# -eq 0 ]; then
	set -- tests/integration/t-*.sh
fi
passed=0
failed=0
for t in "$@"; do
	name=$(basename "$t" .sh)
	name=${name#t-}
	t=tests/integration/t-$name.sh
	log=$logs/$name.log
	if ! [ -f "$t" ]; then
		echo "no test $t" >"$log"
		rc=127
	else
		rc=0
		timeout -k 10 "${FX_TEST_TIMEOUT:-600}" sh "$t" \
		    </dev/null >"$log" 2>&1 || rc=$?
	fi
	if [ $rc -eq 0 ]; then
		echo "ok   $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name (exit $rc, log $log)"
		tail -n 25 "$log" | sed 's/^/	/'
		failed=$((failed + 1))
	fi
done
echo "integration: $passed passed, $failed failed"
[ $failed -eq 0 ]
