#!/bin/sh
# Points the Kubernetes API server's audit events at Vigil.
#
#   static  (default; Kubernetes 1.12 and later): copies audit-policy.yaml and the
#           filled webhook-config.yaml to the node, and adds --audit-policy-file,
#           --audit-webhook-config-file and a volume for them to the API server's
#           static pod manifest.
#   dynamic (Kubernetes 1.13 to 1.18 only): adds --audit-dynamic-configuration,
#           the DynamicAuditing feature gate and the auditregistration.k8s.io/v1alpha1
#           API to the manifest, then applies the filled audit-sink.yaml.
#
# The templates are filled from the vigil Service (kubectl get svc) unless
# --service-ip is given. The manifest is read and written on the minikube node
# (minikube ssh / minikube cp), or locally with --manifest (run it on a
# kubeadm control-plane node as root). The kubelet restarts the API server when
# its manifest changes. Running it again changes nothing; --dry-run prints the
# patch and the files it would write, and changes nothing.
set -eu

usage() {
  cat <<'EOF'
usage: enable-k8s-audit.sh [options]
  --mode static|dynamic   static webhook backend (default) or AuditSink (1.13-1.18)
  --dry-run               print the manifest patch and the files, change nothing
  --output-dir DIR        only write the filled webhook-config.yaml and audit-sink.yaml
                          (and a copy of audit-policy.yaml) to DIR, for another cluster
  --manifest FILE         patch this local kube-apiserver manifest instead of minikube's
  --config-dir DIR        where the policy and webhook config live on the node
                          (default /etc/kubernetes/vigil)
  --service-ip IP         Vigil's Service IP (default: kubectl get svc)
  --service-port PORT     its port (default: kubectl get svc, else 8765)
  --namespace NS          namespace of the vigil Service (default vigil)
  --service NAME          name of the Service (default vigil)
  --scheme http|https     https when Vigil's webserver has ssl_enabled (default http)
  --ca-file PATH          https: CA of Vigil's certificate, as a path on the node
  --client-cert PATH      mutual TLS: the API server's client certificate, on the node
  --client-key PATH       mutual TLS: its key, on the node
  --profile NAME          minikube profile (default: minikube's current one)
EOF
}

die() {
  echo "enable-k8s-audit: $*" >&2
  exit 1
}

HERE=$(cd "$(dirname "$0")" && pwd)
MODE=static
DRY_RUN=0
OUTPUT_DIR=""
MANIFEST=""
NODE_MANIFEST=/etc/kubernetes/manifests/kube-apiserver.yaml
CONFIG_DIR=/etc/kubernetes/vigil
SERVICE_IP=""
SERVICE_PORT=""
NAMESPACE=vigil
SERVICE=vigil
SCHEME=http
CA_FILE=""
CLIENT_CERT=""
CLIENT_KEY=""
PROFILE=""

need_value() {
  [ "$2" -ge 2 ] || die "$1 needs a value"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --mode) need_value "$1" $#; MODE=$2; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    --output-dir) need_value "$1" $#; OUTPUT_DIR=$2; shift 2 ;;
    --manifest) need_value "$1" $#; MANIFEST=$2; shift 2 ;;
    --config-dir) need_value "$1" $#; CONFIG_DIR=$2; shift 2 ;;
    --service-ip) need_value "$1" $#; SERVICE_IP=$2; shift 2 ;;
    --service-port) need_value "$1" $#; SERVICE_PORT=$2; shift 2 ;;
    --namespace) need_value "$1" $#; NAMESPACE=$2; shift 2 ;;
    --service) need_value "$1" $#; SERVICE=$2; shift 2 ;;
    --scheme) need_value "$1" $#; SCHEME=$2; shift 2 ;;
    --ca-file) need_value "$1" $#; CA_FILE=$2; shift 2 ;;
    --client-cert) need_value "$1" $#; CLIENT_CERT=$2; shift 2 ;;
    --client-key) need_value "$1" $#; CLIENT_KEY=$2; shift 2 ;;
    --profile) need_value "$1" $#; PROFILE=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done

case "$MODE" in static|dynamic) ;; *) die "--mode must be static or dynamic, got '$MODE'" ;; esac
case "$SCHEME" in http|https) ;; *) die "--scheme must be http or https, got '$SCHEME'" ;; esac
case "$CONFIG_DIR" in /*) ;; *) die "--config-dir must be an absolute path on the node, got '$CONFIG_DIR'" ;; esac
if [ -n "$CLIENT_CERT$CLIENT_KEY" ] && { [ -z "$CLIENT_CERT" ] || [ -z "$CLIENT_KEY" ]; }; then
  die "--client-cert and --client-key go together"
fi

minikube_cmd() {
  if [ -n "$PROFILE" ]; then minikube -p "$PROFILE" "$@"; else minikube "$@"; fi
}

# --- the Service's address
if [ -z "$SERVICE_IP" ]; then
  command -v kubectl >/dev/null 2>&1 || die "kubectl not found; pass --service-ip"
  SERVICE_IP=$(kubectl -n "$NAMESPACE" get svc "$SERVICE" -o 'jsonpath={.spec.clusterIP}') \
    || die "cannot read Service $NAMESPACE/$SERVICE (deploy minikube/manifests/ first)"
  if [ -z "$SERVICE_PORT" ]; then
    SERVICE_PORT=$(kubectl -n "$NAMESPACE" get svc "$SERVICE" -o 'jsonpath={.spec.ports[?(@.name=="k8s-audit")].port}')
  fi
fi
[ -n "$SERVICE_PORT" ] || SERVICE_PORT=8765
case "$SERVICE_IP" in
  ''|None) die "Service $NAMESPACE/$SERVICE has no ClusterIP" ;;
  *[!0-9a-fA-F.:]*) die "--service-ip must be an IP address, got '$SERVICE_IP'" ;;
esac
case "$SERVICE_PORT" in
  ''|*[!0-9]*) die "--service-port must be a number, got '$SERVICE_PORT'" ;;
esac
HOST=$SERVICE_IP
case "$HOST" in *:*) HOST="[$HOST]" ;; esac

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# --- the templates, filled; a placeholder left over is a mistake in a template
# (comment lines keep their placeholder names: they explain them)
fill() {
  sed -e "/^[[:space:]]*#/!s|\${VIGIL_SCHEME}|$SCHEME|g" \
      -e "/^[[:space:]]*#/!s|\${VIGIL_SERVICE_IP}|$HOST|g" \
      -e "/^[[:space:]]*#/!s|\${VIGIL_SERVICE_PORT}|$SERVICE_PORT|g" \
      -e "/^[[:space:]]*#/!s|\${VIGIL_CA_FILE}|$CA_FILE|g" \
      -e "/^[[:space:]]*#/!s|\${VIGIL_CLIENT_CERT_FILE}|$CLIENT_CERT|g" \
      -e "/^[[:space:]]*#/!s|\${VIGIL_CLIENT_KEY_FILE}|$CLIENT_KEY|g" \
      "$1" >"$2"
  if grep -v '^[[:space:]]*#' "$2" | grep -q '[$]{VIGIL_'; then
    die "$1 has a placeholder this script does not fill"
  fi
}
fill "$HERE/webhook-config.yaml.in" "$WORK/webhook-config.yaml"
fill "$HERE/audit-sink.yaml.in" "$WORK/audit-sink.yaml"
if [ -n "$OUTPUT_DIR" ]; then
  mkdir -p "$OUTPUT_DIR"
  cp "$WORK/webhook-config.yaml" "$WORK/audit-sink.yaml" "$HERE/audit-policy.yaml" "$OUTPUT_DIR/"
  echo "enable-k8s-audit: wrote webhook-config.yaml, audit-sink.yaml and audit-policy.yaml to $OUTPUT_DIR" >&2
  exit 0
fi

# --- the current manifest
if [ -n "$MANIFEST" ]; then
  [ -r "$MANIFEST" ] || die "cannot read $MANIFEST"
  cat "$MANIFEST" >"$WORK/current.yaml"
else
  command -v minikube >/dev/null 2>&1 || die "minikube not found; pass --manifest to patch a local file"
  minikube_cmd ssh -- sudo cat "$NODE_MANIFEST" | tr -d '\r' >"$WORK/current.yaml" \
    || die "cannot read $NODE_MANIFEST on the minikube node"
fi
grep -q '^[[:space:]]*- kube-apiserver[[:space:]]*$' "$WORK/current.yaml" \
  || die "the manifest has no '- kube-apiserver' command line: is it the API server's static pod?"

# --- which Kubernetes: the API server image's tag (v1.MINOR.PATCH)
MINOR=$(sed -n 's|^[[:space:]]*image:[[:space:]]*[^[:space:]]*kube-apiserver[^:]*:v1\.\([0-9][0-9]*\)\..*|\1|p' "$WORK/current.yaml" | head -n 1)
if [ -z "$MINOR" ]; then
  echo "enable-k8s-audit: cannot tell the Kubernetes version from the manifest's image; assuming it fits --mode $MODE" >&2
elif [ "$MODE" = dynamic ] && { [ "$MINOR" -lt 13 ] || [ "$MINOR" -gt 18 ]; }; then
  die "the API server is 1.$MINOR: AuditSink exists only in 1.13 to 1.18; use --mode static"
elif [ "$MODE" = static ] && [ "$MINOR" -lt 12 ]; then
  die "the API server is 1.$MINOR: audit-policy.yaml is audit.k8s.io/v1, which needs 1.12 or later"
fi

# --- the patched manifest
# Each flag Vigil needs is replaced where it is, or added after '- kube-apiserver';
# list-valued flags (--feature-gates, --runtime-config) get the one item added or
# corrected. The volume and its mount are added once, found by their path.
patch_manifest() {
  awk -v mode="$MODE" -v dir="$CONFIG_DIR" '
    function indent(s) { match(s, /^[ \t]*/); return substr(s, 1, RLENGTH) }
    function setflag(name, value) { want[name] = value; order[++nflags] = name }
    # key=value item of a comma list, added or its value replaced
    function listitem(list, key, value,    n, i, parts, out, found) {
      n = split(list, parts, ",")
      out = ""; found = 0
      for (i = 1; i <= n; i++) {
        if (parts[i] == "") continue
        if (index(parts[i], key "=") == 1) { parts[i] = key "=" value; found = 1 }
        out = out (out == "" ? "" : ",") parts[i]
      }
      if (!found) out = out (out == "" ? "" : ",") key "=" value
      return out
    }
    function flagname(line,    s) {
      s = line; sub(/^[ \t]*- /, "", s); sub(/=.*/, "", s); gsub(/[ \t"]/, "", s); return s
    }
    function flagvalue(line,    s) {
      s = line; sub(/^[ \t]*- /, "", s); gsub(/"/, "", s)
      if (index(s, "=") == 0) return ""
      return substr(s, index(s, "=") + 1)
    }
    BEGIN {
      if (mode == "static") {
        setflag("--audit-policy-file", dir "/audit-policy.yaml")
        setflag("--audit-webhook-config-file", dir "/webhook-config.yaml")
        # alerts within seconds: the default batch wait is 30s
        setflag("--audit-webhook-batch-max-wait", "5s")
        # the default from 1.13 on; 1.12 would send audit.k8s.io/v1beta1
        setflag("--audit-webhook-version", "audit.k8s.io/v1")
      } else {
        setflag("--audit-dynamic-configuration", "")
        setflag("--feature-gates", "DynamicAuditing=true")
        setflag("--runtime-config", "auditregistration.k8s.io/v1alpha1=true")
        listflag["--feature-gates"] = "DynamicAuditing"
        listflag["--runtime-config"] = "auditregistration.k8s.io/v1alpha1"
      }
    }
    # first pass: what is there already
    NR == FNR {
      if ($0 ~ /^[ \t]*- kube-apiserver[ \t]*$/) cmdindent = indent($0)
      else if (cmdindent != "" && index($0, cmdindent "- --") == 1) present[flagname($0)] = 1
      if ($0 ~ "^[ \t]*(- )?mountPath: " dir "/?[ \t]*$") hasmount = 1
      if ($0 ~ "^[ \t]*(- )?path: " dir "/?[ \t]*$") hasvolume = 1
      next
    }
    # second pass: write it out, patched
    pendingmount && mode == "static" && !hasmount {
      ind = indent($0)
      print ind "- mountPath: " dir
      print ind "  name: vigil-audit"
      print ind "  readOnly: true"
      pendingmount = 0
    }
    pendingvolume && mode == "static" && !hasvolume {
      ind = indent($0)
      print ind "- hostPath:"
      print ind "    path: " dir
      print ind "    type: DirectoryOrCreate"
      print ind "  name: vigil-audit"
      pendingvolume = 0
    }
    {
      line = $0
      if (cmdindent != "" && index(line, cmdindent "- --") == 1) {
        name = flagname(line)
        if (name in want) {
          value = want[name]
          if (name in listflag) value = listitem(flagvalue(line), listflag[name], substr(want[name], length(listflag[name]) + 2))
          line = cmdindent "- " name (value == "" ? "" : "=" value)
        }
      }
      print line
      if (line ~ /^[ \t]*- kube-apiserver[ \t]*$/) {
        for (i = 1; i <= nflags; i++) if (!(order[i] in present)) print cmdindent "- " order[i] (want[order[i]] == "" ? "" : "=" want[order[i]])
      }
      if (line ~ /^[ \t]*volumeMounts:[ \t]*$/ && !mountsdone) { pendingmount = 1; mountsdone = 1 }
      if (line ~ /^[ \t]*volumes:[ \t]*$/ && !volumesdone) { pendingvolume = 1; volumesdone = 1 }
    }
    END {
      if (mode == "static" && !hasmount && !mountsdone) { print "enable-k8s-audit: no volumeMounts: list in the manifest" > "/dev/stderr"; exit 2 }
      if (mode == "static" && !hasvolume && !volumesdone) { print "enable-k8s-audit: no volumes: list in the manifest" > "/dev/stderr"; exit 2 }
    }
  ' "$WORK/current.yaml" "$WORK/current.yaml"
}
patch_manifest >"$WORK/patched.yaml" || die "cannot patch the manifest"

# --- the files the node needs, and what differs from what it has
node_read() {
  if [ -n "$MANIFEST" ]; then
    cat "$1" 2>/dev/null || true
  else
    minikube_cmd ssh -- sudo cat "$1" 2>/dev/null | tr -d '\r' || true
  fi
}
CHANGED=""
if [ "$MODE" = static ]; then
  cp "$HERE/audit-policy.yaml" "$WORK/audit-policy.yaml"
  for f in audit-policy.yaml webhook-config.yaml; do
    node_read "$CONFIG_DIR/$f" >"$WORK/node-$f"
    cmp -s "$WORK/node-$f" "$WORK/$f" || CHANGED="$CHANGED $f"
  done
fi
MANIFEST_CHANGED=1
cmp -s "$WORK/current.yaml" "$WORK/patched.yaml" && MANIFEST_CHANGED=0

if [ "$DRY_RUN" = 1 ]; then
  if [ "$MANIFEST_CHANGED" = 1 ]; then
    diff -u -L "kube-apiserver.yaml (now)" -L "kube-apiserver.yaml (patched)" "$WORK/current.yaml" "$WORK/patched.yaml" || true
  else
    echo "# kube-apiserver.yaml: no change"
  fi
  for f in $CHANGED; do
    diff -u -L "$CONFIG_DIR/$f (now)" -L "$CONFIG_DIR/$f (new)" "$WORK/node-$f" "$WORK/$f" || true
  done
  if [ "$MODE" = dynamic ]; then
    echo "# would apply (kubectl apply -f -):"
    cat "$WORK/audit-sink.yaml"
  fi
  exit 0
fi

# --- apply: the config files first, then the manifest (the API server restarts with both)
put() { # put LOCAL NODEPATH MODE
  if [ -n "$MANIFEST" ]; then
    mkdir -p "$(dirname "$2")"
    cat "$1" >"$2"
    chmod "$3" "$2"
  else
    minikube_cmd cp "$1" "/tmp/vigil-audit.upload" >/dev/null
    minikube_cmd ssh -- "sudo mkdir -p '$(dirname "$2")' && sudo sh -c 'cat /tmp/vigil-audit.upload > \"$2\"' && sudo chmod $3 '$2' && rm -f /tmp/vigil-audit.upload"
  fi
}
for f in $CHANGED; do
  echo "enable-k8s-audit: writing $CONFIG_DIR/$f" >&2
  put "$WORK/$f" "$CONFIG_DIR/$f" 0644
done
TARGET=${MANIFEST:-$NODE_MANIFEST}
if [ "$MANIFEST_CHANGED" = 1 ]; then
  # the original is kept once, outside the manifests directory (the kubelet runs every file there)
  if [ -z "$(node_read "$CONFIG_DIR/kube-apiserver.yaml.orig")" ]; then
    put "$WORK/current.yaml" "$CONFIG_DIR/kube-apiserver.yaml.orig" 0600
  fi
  echo "enable-k8s-audit: patching $TARGET (the kubelet restarts the API server)" >&2
  put "$WORK/patched.yaml" "$TARGET" 0600
elif [ -n "$CHANGED" ]; then
  echo "enable-k8s-audit: $TARGET already has the audit settings; the API server reads the changed files only when it restarts" >&2
else
  echo "enable-k8s-audit: nothing to change" >&2
fi

if [ "$MODE" = dynamic ]; then
  command -v kubectl >/dev/null 2>&1 || die "kubectl not found; apply $WORK/audit-sink.yaml yourself"
  echo "enable-k8s-audit: waiting for the API server to serve auditregistration.k8s.io/v1alpha1" >&2
  tries=0
  until kubectl api-versions 2>/dev/null | grep -qx 'auditregistration.k8s.io/v1alpha1'; do
    tries=$((tries + 1))
    [ "$tries" -lt 60 ] || die "the API server does not serve auditregistration.k8s.io/v1alpha1 after 5 minutes"
    sleep 5
  done
  kubectl apply -f "$WORK/audit-sink.yaml"
fi
