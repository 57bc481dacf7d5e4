#!/bin/sh
# Debian tools the tests use beyond what setup.sh installs: shellcheck (every
# shell script of the repository is checked) and strace (vigil -U's writes are
# counted). Installed only when missing and only as root; without them those
# tests say loudly that they are skipped.
cd "$(dirname "$0")/.." || exit 0

# the container runtimes the live container-metadata tests start
sh scripts/setup-containers.sh

PKGS="shellcheck strace"
missing=""
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
if [ "$(id -u)" != 0 ]; then
  echo "setup-test-tools: missing Debian packages:$missing (installing them needs root); their tests are skipped" >&2
  exit 0
fi
echo "setup-test-tools: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -q >&2 || exit 0
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $missing >&2 || echo "setup-test-tools: apt-get install$missing failed; their tests are skipped" >&2
exit 0
