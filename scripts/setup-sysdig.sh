#!/bin/sh
# Debian's sysdig (built on falcosecurity/libs): the external reader the
# capture-file tests check Vigil's .scap reading and writing against. Only
# installed when missing, as root; without it those tests say so and skip.
command -v sysdig >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "setup-sysdig: sysdig is not installed and installing it needs root; the scap tests that compare with it will skip" >&2
  exit 0
fi
echo "setup-sysdig: installing sysdig" >&2
export DEBIAN_FRONTEND=noninteractive
{ apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends sysdig >&2 ||
  { apt-get update -q -o DPkg::Lock::Timeout=600 >&2 && apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends sysdig >&2; }; } ||
  echo "setup-sysdig: installing sysdig failed; the scap tests that compare with it will skip" >&2
exit 0
