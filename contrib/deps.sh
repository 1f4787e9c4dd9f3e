#!/bin/sh
# Install the Debian packages drove needs to build and test, when missing.
# Runs as root (or through sudo when available); does nothing when all are
# present, so it is safe to call from every make target.
set -e
pkgs="gcc make pkg-config libc6-dev libssh2-1-dev libyaml-dev libsqlite3-dev
libssl-dev openssh-server openssh-client dropbear-bin iproute2 sqlite3"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
sudo=
[ "$(id -u)" -ne 0 ] && sudo=sudo
export DEBIAN_FRONTEND=noninteractive
# Empty package lists on a fresh system: fetch them first.
if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then
	$sudo apt-get update -qq
fi
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
    { $sudo apt-get update -qq &&
      $sudo apt-get install -y -qq --no-install-recommends $missing; }
