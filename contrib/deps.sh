#!/bin/sh
# Install the Debian packages drove needs to build and test, when missing;
# with "demo", only those to build drove and run the demo fleet (make
# demo).  Runs as root (or through sudo when available); does nothing when
# all are present (but make /run/sshd, as root), so it is safe to call from
# every make target.  README.md says why each package is needed.
#
# Installing openssh-server must not start a system sshd (on a host without
# systemd, such as a chroot, its init script would listen on 0.0.0.0:22): a
# policy-rc.d that denies service starts is in place while apt runs, unless
# the system already has one.  The tests start their own sshd on loopback.
set -e
pkgs="gcc make pkg-config libc6-dev libssh2-1-dev libyaml-dev libsqlite3-dev
libssl-dev libedit-dev openssh-server openssh-client procps coreutils"
[ "${1:-}" = demo ] || pkgs="$pkgs dropbear-bin iproute2 sqlite3 passwd
util-linux openssl tmux g++ asciinema python3 zsh sudo groff-base man-db
dpkg-dev python3-paramiko nftables e2fsprogs
valgrind ansible-core strace"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
# sshd run as root (the unit tests run "sshd -i") needs its privilege
# separation dir, which only its service start makes; /run is emptied at boot.
[ "$(id -u)" -ne 0 ] || [ -d /run/sshd ] || mkdir -m 755 /run/sshd
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
sudo=
[ "$(id -u)" -ne 0 ] && sudo=sudo
export DEBIAN_FRONTEND=noninteractive

policy=/usr/sbin/policy-rc.d
if ! [ -e $policy ]; then
	trap '$sudo rm -f $policy' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	printf '#!/bin/sh\n# drove contrib/deps.sh: no service starts.\nexit 101\n' |
	    $sudo tee $policy >/dev/null
	$sudo chmod 755 $policy
fi

# Empty package lists on a fresh system: fetch them first.
if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then
	$sudo apt-get update -qq
fi
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
    { $sudo apt-get update -qq &&
      $sudo apt-get install -y -qq --no-install-recommends $missing; }
