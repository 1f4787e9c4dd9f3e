#!/bin/sh
# run.sh: run the integration tests, each in its own shell with its own log.
#
# Usage: O=build sh tests/integration/run.sh [-j N] [t-NAME.sh|NAME...]
#
# Runs every tests/integration/t-*.sh (or those named) from the top of the
# tree with O (the build dir, made absolute), DROVE=$O/drove, FX_ROOT (the top
# of the tree) exported and stdin closed; -j runs N at a time (default 1).
# Each test's output goes to $O/test-logs/NAME.log; a test passes by exiting
# 0.  Prints "ok   NAME (S s)" or "FAIL NAME (...)" followed by the last lines
# of its log, in order, then "integration: N passed, N failed"; exits 1 on any failure.
# A test running longer than FX_TEST_TIMEOUT seconds (default 600) is
# stopped and fails.
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
jobs=1
if [ "${1:-}" = -j ]; then
	jobs=$2
	shift 2
fi
if [ $# -eq 0 ]; then
	set -- tests/integration/t-*.sh
fi

# Run test NAME; leave its exit status in $logs/NAME.rc.
run_one()
{
	t=tests/integration/t-$1.sh
	if ! [ -f "$t" ]; then
		echo "no test $t" >"$logs/$1.log"
		echo 127 >"$logs/$1.rc"
		return
	fi
	rc=0
	start=$(date +%s)
	timeout -k 10 "${FX_TEST_TIMEOUT:-600}" sh "$t" \
	    </dev/null >"$logs/$1.log" 2>&1 || rc=$?
	echo $(($(date +%s) - start)) >"$logs/$1.secs"
	echo $rc >"$logs/$1.rc"
}

passed=0
failed=0
# Report test NAME from its .rc file.
report()
{
	rc=$(cat "$logs/$1.rc" 2>/dev/null || echo lost)
	secs=$(cat "$logs/$1.secs" 2>/dev/null || echo '?')
	if [ "$rc" = 0 ]; then
		echo "ok   $1 (${secs} s)"
		passed=$((passed + 1))
	else
		echo "FAIL $1 (exit $rc after ${secs} s, log $logs/$1.log)"
		tail -n 25 "$logs/$1.log" | sed 's/^/	/'
		failed=$((failed + 1))
	fi
}

# Run the tests in batches of $jobs, reporting each batch in order.
batch=
pids=
n=0
for t in "$@" ''; do
	if [ -n "$t" ]; then
		name=$(basename "$t" .sh)
		name=${name#t-}
		rm -f "$logs/$name.rc"
		run_one "$name" &
		batch="$batch $name"
		pids="$pids $!"
		n=$((n + 1))
		[ $n -lt "$jobs" ] && continue
	fi
	for p in $pids; do
		wait "$p"
	done
	for name in $batch; do
		report "$name"
	done
	batch=
	pids=
	n=0
done
echo "integration: $passed passed, $failed failed"
[ $failed -eq 0 ]
