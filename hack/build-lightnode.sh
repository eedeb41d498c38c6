#!/usr/bin/env bash
# Builds bin/lightnode: a static linux binary (no cgo, so kine uses the pure-Go SQLite
# driver) stamped with the Kubernetes release it carries and the source commit. Go's
# build cache makes a rebuild with no change a matter of seconds. Prints the path.
#
#   hack/build-lightnode.sh            # bin/lightnode for the host's arch
#   GOARCH=arm64 hack/build-lightnode.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${LIGHTNODE_OUT:-$root/bin/lightnode}

k8s_version=$(go list -m -f '{{.Version}}' k8s.io/kubernetes)
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
tree_state=clean
if [[ -n "$(git status --porcelain -- node-binary internal 2>/dev/null)" ]]; then
	tree_state=dirty
fi
major=${k8s_version#v}
major=${major%%.*}
minor=${k8s_version#v*.}
minor=${minor%%.*}
build_date=$(git log -1 --format=%cI 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)

cb=k8s.io/component-base/version
ln=github.com/lightcluster/lightcluster/node-binary/version
ldflags=(
	-s -w
	-X "$cb.gitVersion=$k8s_version+lightnode"
	-X "$cb.gitMajor=$major"
	-X "$cb.gitMinor=$minor"
	-X "$cb.gitCommit=$commit"
	-X "$cb.gitTreeState=$tree_state"
	-X "$cb.buildDate=$build_date"
	-X "$ln.Version=$k8s_version"
	-X "$ln.GitCommit=$commit"
)

mkdir -p "$(dirname "$out")"
# LIGHTNODE_TAGS=bundle embeds what hack/build-bundle.sh packed (runc, the shim, the CNI
# plugins and the pause image); without it the agent cannot start containers.
CGO_ENABLED=0 go build -trimpath -tags "${LIGHTNODE_TAGS:-}" -ldflags "${ldflags[*]}" -o "$out" \
	./node-binary/cmd/lightnode
echo "$out"
