#!/bin/sh
# Installs the container runtimes the live container-metadata tests start
# (test/sources/syscall/containers/runtimes.live.test.ts): podman and runc,
# containerd (ctr, its CRI plugin), the CNI plugins for a pod's network, and a
# static busybox to build the test image from. Only as root, only what is
# missing; never fails the setup (the test then says what is missing).
cd "$(dirname "$0")/.." || exit 0

PKGS="podman runc containerd containernetworking-plugins busybox-static iproute2"

[ "$(id -u)" = 0 ] || exit 0
missing=""
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
echo "setup-containers: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -q >&2 || { echo "setup-containers: apt-get update failed" >&2; exit 0; }
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $missing >&2 ||
  echo "setup-containers: apt-get install$missing failed; the live container runtime tests will fail" >&2
exit 0
