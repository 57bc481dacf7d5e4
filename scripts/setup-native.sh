#!/bin/sh
# Installs the Debian packages the eBPF probe and addon need (only those
# missing) and builds them with cmake-js (only when a source is newer than the
# built addon). Never fails the whole setup: without it the agent runs with
# --disable-source syscall.
cd "$(dirname "$0")/.." || exit 0

ADDON=build/Release/vigil_addon.node
PKGS="clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool pkg-config cmake make g++"

skip() {
  echo "setup-native: $1; syscall capture unavailable (run the agent with --disable-source syscall)" >&2
  exit 0
}

missing=""
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    skip "missing Debian packages:$missing (installing them needs root)"
  fi
  echo "setup-native: installing$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 || skip "apt-get update failed"
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing >&2 || skip "apt-get install$missing failed"
fi

if [ ! -r /sys/kernel/btf/vmlinux ]; then
  skip "no kernel BTF at /sys/kernel/btf/vmlinux (needed to build the CO-RE probe)"
fi

if [ -f "$ADDON" ] && [ -z "$(find bpf native CMakeLists.txt -newer "$ADDON" -print -quit)" ]; then
  exit 0
fi
echo "setup-native: building the eBPF probe and addon" >&2
node node_modules/cmake-js/bin/cmake-js build --log-level warn >&2 || skip "the native build failed"
touch "$ADDON"
