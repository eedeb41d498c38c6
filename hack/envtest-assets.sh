#!/usr/bin/env bash
# Builds the control-plane binaries that envtest starts (kube-apiserver and etcd), and the
# kubectl that tests drive them with, from the Go modules pinned in go.mod, so that no
# test asset is downloaded. Prints the directory to use as KUBEBUILDER_ASSETS. The build
# is skipped while the pinned module versions are unchanged.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/bin/k8s"
stamp="$dir/.versions"
cd "$root"
want=$(go list -m k8s.io/kubernetes go.etcd.io/etcd/server/v3 | tr '\n' ' ')

if [[ -x "$dir/kube-apiserver" && -x "$dir/etcd" && -x "$dir/kubectl" && -f "$stamp" &&
	"$(cat "$stamp")" == "$want" ]]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$dir"
echo "Building envtest assets into $dir: $want" >&2
build() {
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$dir/$1" "$2" >&2
}
build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
build etcd go.etcd.io/etcd/server/v3
build kubectl k8s.io/kubernetes/cmd/kubectl
echo "$want" >"$stamp"
echo "$dir"
