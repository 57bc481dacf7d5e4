#!/bin/sh
# What only the load benches need (bench:webserver, bench:sources): Debian's
# wrk, the HTTP load generator they use by default. Without it (not root, no
# package source) they fall back to autocannon from npm and say so.
command -v wrk >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "setup-bench: wrk is not installed and installing it needs root; the load benches will use autocannon" >&2
  exit 0
fi
echo "setup-bench: installing wrk" >&2
export DEBIAN_FRONTEND=noninteractive
{ dpkg -s wrk >/dev/null 2>&1 || apt-get install -y -q --no-install-recommends wrk >&2 || { apt-get update -q >&2 && apt-get install -y -q --no-install-recommends wrk >&2; }; } ||
  echo "setup-bench: installing wrk failed; the load benches will use autocannon" >&2
exit 0
