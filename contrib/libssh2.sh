#!/bin/sh
# libssh2.sh: build another Debian release's libssh2 into a private prefix,
# so drove can be built and tested against it (make check LIBSSH2=trixie).
#
# Usage: sh contrib/libssh2.sh SUITE PREFIX
#
# Fetches the libssh2 source package of SUITE (trixie: Debian 13, libssh2
# 1.11.1) through apt, with a deb-src entry for Debian's archive
# ($DEBIAN_MIRROR, default http://deb.debian.org/debian) written into
# PREFIX.src/ together with apt's lists and cache: the system's apt sources
# and state are read by nothing here and changed by nothing.  The archive is
# checked with the system's Debian keyring, as apt checks its own.  The
# package is unpacked with Debian's patches (dpkg-source), configured with
# OpenSSL as Debian builds it, and installed into PREFIX (headers, shared
# library, libssh2.pc).  Does nothing when PREFIX already holds a build of
# the same package version.  Needs gcc, make, libssl-dev and dpkg-dev (make
# deps installs them).
set -e
if [ $# -ne 2 ]; then
	echo "usage: sh contrib/libssh2.sh SUITE PREFIX" >&2
	exit 2
fi
suite=$1
case $2 in
/*) prefix=$2 ;;
*) prefix=$PWD/$2 ;;
esac
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
work=$prefix.src
apt=$work/apt

mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" \
    "$apt/sources.list.d" "$apt/preferences.d"
echo "deb-src [signed-by=$keyring] $mirror $suite main" >"$apt/sources.list"
# Every path apt reads or writes points into $apt, so this apt-get sees
# only the one deb-src line and leaves the system's lists and cache alone.
set -- -q -o Dir::Etc::SourceList="$apt/sources.list" \
    -o Dir::Etc::SourceParts="$apt/sources.list.d" \
    -o Dir::Etc::Preferences="$apt/preferences" \
    -o Dir::Etc::PreferencesParts="$apt/preferences.d" \
    -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" \
    -o Dir::State::status=/dev/null -o APT::Sandbox::User="$(id -un)"
echo "libssh2: apt-get update for $suite's sources ($mirror)"
apt-get "$@" update >"$work/apt-update.log" 2>&1 ||
    { cat "$work/apt-update.log" >&2; exit 1; }
version=$(apt-cache "$@" showsrc libssh2 | sed -n 's/^Version: //p' |
    sort -V | tail -n 1)
if [ -z "$version" ]; then
	echo "libssh2: no libssh2 source package in $suite" >&2
	exit 1
fi
if [ "$(cat "$prefix/debian-version" 2>/dev/null)" = "$version" ] &&
    [ -f "$prefix/lib/pkgconfig/libssh2.pc" ]; then
	echo "libssh2: $prefix holds libssh2 $version already"
	exit 0
fi

echo "libssh2: fetching the source package libssh2 $version"
rm -rf "$work/dl" "$work/src"
mkdir -p "$work/dl"
(cd "$work/dl" && apt-get "$@" source --download-only "libssh2=$version") \
    >"$work/fetch.log" 2>&1 || { cat "$work/fetch.log" >&2; exit 1; }
# apt checked every file against the signed Release file's hashes.
dpkg-source --no-check -x "$work"/dl/libssh2_*.dsc "$work/src" \
    >>"$work/fetch.log" 2>&1 || { cat "$work/fetch.log" >&2; exit 1; }

echo "libssh2: building into $prefix (log: $work/build.log)"
rm -rf "$prefix"
(
	cd "$work/src"
	./configure --prefix="$prefix" --with-crypto=openssl \
	    --disable-static --disable-examples-build --disable-docker-tests \
	    --disable-debug
	make -j"${JOBS:-2}"
	make install
) >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; exit 1; }
echo "$version" >"$prefix/debian-version"
echo "libssh2: $prefix: libssh2 $version ($(sed -n \
    's/^#define LIBSSH2_VERSION[ \t]*"\(.*\)"/\1/p' \
    "$prefix/include/libssh2.h"))"
