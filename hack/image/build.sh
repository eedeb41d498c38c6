#!/usr/bin/env bash
# Builds the operator image without any registry (FROM scratch) and prints its tag:
# bin/lightcluster-operator and bin/lightnode are staged into a build context together
# with the catalog layout the operator reads (internal/catalog).
#
#   hack/image/build.sh                 # lightcluster/lightcluster-operator:<version>
#   IMAGE_REPO=registry.example/lc/operator hack/image/build.sh
#   hack/image/build.sh -o bin/x.tar    # also writes the image as a docker archive
#
# <version> is the Kubernetes release of k8s.io/kubernetes in go.mod, the one that
# lightnode carries. The archive (docker save format) is what containerd, and so
# lightnode's agent/images directory, imports.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

archive=""
while getopts "o:" opt; do
	case $opt in
	o) archive=$OPTARG ;;
	*) echo "usage: $0 [-o ARCHIVE]" >&2; exit 2 ;;
	esac
done

version=${VERSION:-$(go list -m -f '{{.Version}}' k8s.io/kubernetes)}
repo=${IMAGE_REPO:-lightcluster/lightcluster-operator}
tag="$repo:$version"
arch=${GOARCH:-amd64}
operator=${OPERATOR_BIN:-$root/bin/lightcluster-operator}
lightnode=${LIGHTNODE_BIN:-$root/bin/lightnode}
revision=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

for f in "$operator" "$lightnode"; do
	if [[ ! -x $f ]]; then
		echo "$f is missing: run make build lightnode" >&2
		exit 1
	fi
done

# The context holds only what the image needs; hard links avoid copying lightnode when
# bin/ and the context share a file system.
ctx=$(mktemp -d "$root/bin/.image-context.XXXXXX")
trap 'rm -rf "$ctx"' EXIT
catalog=$ctx/rootfs/opt/lightnode/$version
mkdir -p "$catalog" "$ctx/rootfs/etc" "$ctx/rootfs/tmp"
chmod 1777 "$ctx/rootfs/tmp"
chmod 0755 "$ctx/rootfs" "$ctx/rootfs/etc" "$ctx/rootfs/opt" "$ctx/rootfs/opt/lightnode" \
	"$catalog"
ln "$lightnode" "$catalog/lightnode-linux-$arch" 2>/dev/null ||
	cp "$lightnode" "$catalog/lightnode-linux-$arch"
ln "$operator" "$ctx/lightcluster-operator" 2>/dev/null ||
	cp "$operator" "$ctx/lightcluster-operator"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin\n' \
	>"$ctx/rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$ctx/rootfs/etc/group"
chmod 0644 "$ctx/rootfs/etc/passwd" "$ctx/rootfs/etc/group"

docker build --quiet -f hack/image/Dockerfile --build-arg "VERSION=$version" \
	--build-arg "REVISION=$revision" -t "$tag" "$ctx" >/dev/null

if [[ -n $archive ]]; then
	mkdir -p "$(dirname "$archive")"
	docker save -o "$archive.tmp" "$tag"
	chmod 0644 "$archive.tmp"
	mv "$archive.tmp" "$archive"
fi
echo "$tag"
