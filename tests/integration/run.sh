#!/bin/sh
# run.sh: run the integration tests, each in its own shell with its own log.
#
# Usage: O=build sh tests/integration/run.sh [-j N] [t-NAME.sh|NAME...]
#
# Runs every tests/integration/t-*.sh (or those named) from the top of the
# tree with O (the build dir, made absolute), DROVE=$O/drove, FX_ROOT (the top
# of the tree) and LSAN_OPTIONS (tests/fixtures/lsan.supp's suppressions)
# exported and stdin closed; -j runs N at a time (default 1, or FX_JOBS).
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
# a sanitizer build's leak report leaves out other projects' known leaks
LSAN_OPTIONS=suppressions=$FX_ROOT/tests/fixtures/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}
export O DROVE FX_ROOT LSAN_OPTIONS
logs=$O/test-logs
mkdir -p "$logs" || exit 1
jobs=${FX_JOBS:-1}
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
	echo $rc >"$logs/$1.rc.new"
	mv "$logs/$1.rc.new" "$logs/$1.rc"	# whole when it appears
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

# Run the tests, $jobs at a time: a test starts as soon as one ends.  Each
# is reported, in the order given, once it and those before it have ended.
names=
for t in "$@"; do
	name=$(basename "$t" .sh)
	names="$names ${name#t-}"
	rm -f "$logs/${name#t-}.rc"
done
running=0
started=
set -- $names
for name in $names; do
	while [ $running -ge "$jobs" ]; do
		sleep 0.2
		running=0
		for r in $started; do
			[ -f "$logs/$r.rc" ] || running=$((running + 1))
		done
		# report, in order, the tests that have ended
		while [ $# -gt 0 ] && [ -f "$logs/$1.rc" ]; do
			report "$1"
			shift
		done
	done
	run_one "$name" &
	started="$started $name"
	running=$((running + 1))
done
wait
for name in "$@"; do
	report "$name"
done
echo "integration: $passed passed, $failed failed"
[ $failed -eq 0 ]
