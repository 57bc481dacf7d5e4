#!/bin/sh
# Installs and builds whatever is missing, so that `npm start` and `npm test`
# work from a fresh clone. Each step is skipped when its output is current.
set -e
cd "$(dirname "$0")/.."

# npm packages, exactly as locked.
if [ ! -f node_modules/.package-lock.json ] || [ -n "$(find package-lock.json -newer node_modules/.package-lock.json)" ]; then
  echo "setup: installing npm packages" >&2
  npm ci --no-audit --no-fund
fi

# Debian packages and the native addon (eBPF probe), when that part exists.
if [ -x scripts/setup-native.sh ]; then
  sh scripts/setup-native.sh
fi

# sysdig, the reference reader the capture-file tests compare with.
sh scripts/setup-sysdig.sh

# TypeScript -> dist/, only when a source is newer than the last build.
if [ ! -f dist/cli.js ] || [ -n "$(find src tsconfig.json -newer dist/cli.js -print -quit)" ]; then
  echo "setup: compiling TypeScript" >&2
  node_modules/.bin/tsc -p tsconfig.json
  touch dist/cli.js
fi

# The runtime APIs' .proto files, loaded at run time next to the compiled code.
mkdir -p dist/sources/syscall/containers && cp -R src/sources/syscall/containers/proto dist/sources/syscall/containers/
