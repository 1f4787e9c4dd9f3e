#!/bin/sh
# t-run-fdlimit.sh: drove lives within its file descriptor limit: it raises
# the soft limit to the hard one, sizes its concurrency to what it has
# (a pull holds a local file per host besides the socket), and a host that
# meets EMFILE waits for a descriptor instead of failing.  A server that
# closes connections before its banner (sshd's MaxStartups throttling) is
# tried again after a backoff, not reported unreachable.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd s1
dr_inventory s1 150
# All hosts at once; their logins get a minute, not the default 10 s.
fast="--forks 0 --max-startups 1000 --connect-rate 100000 --connect-timeout 60"

# Soft limit 64, hard limit 64: 150 hosts at once cannot all have a socket.
# shellcheck disable=SC2086
fx_run sh -c "ulimit -n 64 && exec '$DROVE' --no-agent -i '$FX_DIR/inv.yml' \
    $fast run all 'echo ok'"
fx_assert_eq 0 "$FX_RC" "150 hosts under a limit of 64 descriptors"
fx_assert_eq 150 "$(printf '%s\n' "$FX_OUT" | grep -c ': ok$')" \
    "every host ran"

# A pull keeps a local file open per host as well.
mkdir "$FX_DIR/src" "$FX_DIR/dl"
head -c 300000 /dev/urandom >"$FX_DIR/src/f"
chmod -R a+rX "$FX_DIR/src"
fx_run sh -c "ulimit -n 48 && exec '$DROVE' --no-agent -i '$FX_DIR/inv.yml' \
    $fast pull 'h00[0-5]?' '$FX_DIR/src/f' '$FX_DIR/dl'"
fx_assert_eq 0 "$FX_RC" "59 pulls under a limit of 48 descriptors"
fx_assert_eq 59 "$(find "$FX_DIR/dl" -type f -name f | wc -l)" \
    "every host's file arrived"

# A soft limit below the hard one is raised: no host waits for long.
fx_run sh -c "ulimit -Sn 32 && ulimit -Hn 4096 && exec '$DROVE' --no-agent \
    -i '$FX_DIR/inv.yml' $fast run all 'ulimit -n >/dev/null; echo ok'"
fx_assert_eq 0 "$FX_RC" "soft limit raised"

# MaxStartups 3: sshd drops most of 40 connections before its banner.
fx_sshd s2 maxstartups=3
dr_inventory s2 40 t
# shellcheck disable=SC2086
dr -i "$FX_DIR/inv.yml" $fast --retries 0 run all 'echo ok'
fx_assert_eq 0 "$FX_RC" "throttled hosts are tried again"
fx_assert_eq 40 "$(printf '%s\n' "$FX_OUT" | grep -c ': ok$')"
fx_assert_match 'drop connection|beginning MaxStartups throttling|exceeded MaxStartups' \
    "$(cat "$FX_LOG_s2")" "sshd did throttle"
