#!/bin/sh
# check.sh: run the unit tests, then the integration tests, and end with one
# line "N passed, N failed" summing both.
#
# Usage: O=build sh tests/check.sh
#
# Counts come from the runners' last lines ("unit: N passed, N failed",
# "integration: N passed, N failed"); a runner that ends without its line
# (a crash) counts as one failure.  Exits 1 on any failure.
cd "$(dirname "$0")/.." || exit 1
O=${O:-build}
. tests/fixtures/tally.sh
tally_init
tally 'unit: ' "$O/unit-tests"
tally 'integration: ' env O="$O" sh tests/integration/run.sh
tally_end
