#!/usr/bin/env bash
# Builds the images that end-to-end tests import into their clusters, as OCI archives
# packed by lightnode's own image packer, into bin/images/ (or the directory given as the
# first argument). Prints the directory.
#   httpecho.tar   lightcluster.dev/httpecho:1, a web server that answers with its host name
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/bin/images}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
arch=${GOARCH:-$(go env GOARCH)}

mkdir -p "$out"
CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath -ldflags "-s -w" \
	-o "$work/httpecho" ./test/images/httpecho
GOARCH=$(go env GOHOSTARCH) go run ./node-binary/images/packimage -arch "$arch" \
	-ref lightcluster.dev/httpecho:1 -entrypoint /httpecho -file "/httpecho=$work/httpecho" \
	-o "$out/httpecho.tar"
echo "$out"
