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
go=${GO:-go}
want="$($go list -m k8s.io/kubernetes go.etcd.io/etcd/server/v3 | tr '\n' ' ')stamped"
k8s_version=$($go list -m -f '{{.Version}}' k8s.io/kubernetes)

if [[ -x "$dir/kube-apiserver" && -x "$dir/etcd" && -x "$dir/kubectl" && -f "$stamp" &&
	"$(cat "$stamp")" == "$want" ]]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$dir"
echo "Building envtest assets into $dir: $want" >&2
# Stamp the Kubernetes version, as a release build does, so that `kubectl version`
# and the API server's /version report it.
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
	ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitTreeState=clean"
	ldflags+=" -X $pkg.gitMajor=1 -X $pkg.gitMinor=$(cut -d. -f2 <<<"$k8s_version")"
done
build() {
	CGO_ENABLED=0 $go build -trimpath -ldflags "$ldflags" -o "$dir/$1" "$2" >&2
}
build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
build etcd go.etcd.io/etcd/server/v3
build kubectl k8s.io/kubernetes/cmd/kubectl
echo "$want" >"$stamp"
echo "$dir"
