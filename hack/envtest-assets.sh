#!/usr/bin/env bash
# Builds the control-plane binaries that envtest starts (kube-apiserver and etcd) from the
# Go modules pinned in go.mod, so that no test asset is downloaded. Prints the directory
# to use as KUBEBUILDER_ASSETS. A rebuild is skipped while go.mod is unchanged.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/bin/k8s"
stamp="$dir/.go.mod.sha256"
want=$(sha256sum "$root/go.mod" | cut -d' ' -f1)

if [[ -x "$dir/kube-apiserver" && -x "$dir/etcd" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$dir"
cd "$root"
ldflags="-s -w"
echo "Building envtest assets into $dir (kube-apiserver, etcd)" >&2
CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$dir/kube-apiserver" \
	k8s.io/kubernetes/cmd/kube-apiserver >&2
CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$dir/etcd" go.etcd.io/etcd/server/v3 >&2
echo "$want" >"$stamp"
echo "$dir"
