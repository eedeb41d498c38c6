#!/usr/bin/env bash
# Builds the programs and images that lightnode carries and packs them, compressed with a
# manifest, into node-binary/bundle/assets, which `go build -tags bundle` embeds:
#   runc                        static, with seccomp when a static libseccomp is installed
#   containerd-shim-runc-v2     static
#   loopback bridge host-local portmap (CNI plugins)   static
#   pause.tar                   the pause image (lightcluster.dev/pause:3.10), OCI archive
#   coredns.tar                 the cluster DNS image (lightcluster.dev/coredns:VERSION),
#                               CoreDNS with only the plugins hack/coredns compiles in
# Versions come from hack/bundle/go.mod and hack/coredns/go.mod; everything is built from
# the Go module proxy.
# The build is skipped while its inputs (versions, sources, Go, architecture, seccomp)
# are unchanged. Set LIGHTNODE_RUNC_SECCOMP=on|off to require or refuse seccomp in runc
# (default auto).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/hack/bundle"
coredns_src="$root/hack/coredns"
assets="$root/node-binary/bundle/assets"
work="$root/bin/bundle"
stamp="$assets/.inputs"
pause_ref="lightcluster.dev/pause:3.10"
cd "$root"

export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export GOOS=linux
arch=${GOARCH:-$(go env GOARCH)}
export GOARCH=$arch
if [[ "$arch" != "$(go env GOHOSTARCH)" && -z "${CC:-}" ]]; then
	echo "build-bundle: runc needs cgo; set CC to a C compiler for $arch" >&2
	exit 1
fi

# runc filters system calls only when built with libseccomp, linked statically here.
seccomp=${LIGHTNODE_RUNC_SECCOMP:-auto}
if [[ "$seccomp" == auto ]]; then
	seccomp=off
	[[ "$(${CC:-gcc} -print-file-name=libseccomp.a)" == /* ]] && seccomp=on
fi
if [[ "$seccomp" == off ]]; then
	echo "build-bundle: WARNING: runc without seccomp; pods asking for a seccomp profile" \
		"(RuntimeDefault) will not start. Install libseccomp-dev for a static libseccomp." >&2
fi

# The inputs: tool versions, the sources of the image and bundle packers, this script.
inputs() {
	go version
	echo "$arch seccomp=$seccomp"
	sha256sum "$0" "$tools/go.mod" "$tools/go.sum" "$coredns_src"/go.mod "$coredns_src"/go.sum \
		"$coredns_src"/*.go
	git ls-files -co --exclude-standard -- node-binary/images node-binary/bundle \
		':!*_test.go' | sort | xargs sha256sum
}
want=$(inputs)
if [[ -f "$assets/manifest.json" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
	echo "build-bundle: $assets is up to date" >&2
	exit 0
fi

mkdir -p "$work"
version() { go -C "$tools" list -m -f '{{.Version}}' "$1"; }
runc_version=$(version github.com/opencontainers/runc)
plugins_version=$(version github.com/containernetworking/plugins)
containerd_version=$(version github.com/containerd/containerd/v2)
coredns_version=$(go -C "$coredns_src" list -m -f '{{.Version}}' github.com/coredns/coredns)
coredns_ref="lightcluster.dev/coredns:${coredns_version#v}"
echo "build-bundle: runc $runc_version, CNI plugins $plugins_version," \
	"containerd shim $containerd_version, CoreDNS $coredns_version, $arch" >&2

# static builds a CGO-free program of the tools module.
static() {
	local name=$1 pkg=$2 ldflags=$3
	CGO_ENABLED=0 go -C "$tools" build -trimpath -tags "netgo osusergo" \
		-ldflags "-s -w $ldflags" -o "$work/$name" "$pkg"
}

# runc needs cgo for its namespace setup; link it as a static PIE.
runc_tags="netgo osusergo urfave_cli_no_docs"
[[ "$seccomp" == on ]] && runc_tags="seccomp $runc_tags"
CGO_ENABLED=1 go -C "$tools" build -trimpath -buildmode=pie -tags "$runc_tags" \
	-ldflags "-s -w -linkmode external -extldflags -static-pie" \
	-o "$work/runc" github.com/opencontainers/runc

static containerd-shim-runc-v2 github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 \
	"-X github.com/containerd/containerd/v2/version.Version=$containerd_version"
cni_version="-X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion"
for plugin in main/loopback main/bridge ipam/host-local meta/portmap; do
	static "$(basename "$plugin")" \
		"github.com/containernetworking/plugins/plugins/$plugin" "$cni_version=$plugins_version"
done

# The pause image, packed by our own packer and checked with containerd's importer.
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/pause" ./node-binary/images/pause
GOARCH=$(go env GOHOSTARCH) go run ./node-binary/images/packimage -arch "$arch" \
	-ref "$pause_ref" -entrypoint /pause -file "/pause=$work/pause" -o "$work/pause.tar"
GOARCH=$(go env GOHOSTARCH) go -C "$tools" run ./checkimage -platform "linux/$arch" \
	"$work/pause.tar" "$pause_ref" >&2

# CoreDNS, from its own module so that its dependencies stay out of the others'. Every
# plugin a cluster's Corefile uses must be in it.
CGO_ENABLED=0 go -C "$coredns_src" build -trimpath -tags "netgo osusergo" -ldflags "-s -w" \
	-o "$work/coredns" .
if [[ "$arch" == "$(go env GOHOSTARCH)" ]]; then
	plugins=$("$work/coredns" -plugins)
	for plugin in kubernetes forward cache errors health ready loop reload loadbalance log; do
		grep -qx "$plugin" <<<"$plugins" || {
			echo "build-bundle: CoreDNS lacks the plugin $plugin:" >&2
			echo "$plugins" >&2
			exit 1
		}
	done
fi
GOARCH=$(go env GOHOSTARCH) go run ./node-binary/images/packimage -arch "$arch" \
	-ref "$coredns_ref" -entrypoint /coredns -file "/coredns=$work/coredns" \
	-o "$work/coredns.tar"
GOARCH=$(go env GOHOSTARCH) go -C "$tools" run ./checkimage -platform "linux/$arch" \
	"$work/coredns.tar" "$coredns_ref" >&2

# One compressed stream: the CNI plugins side by side share most of their code.
GOARCH=$(go env GOHOSTARCH) go run ./node-binary/bundle/packbundle -o "$assets" \
	"loopback=bin:$work/loopback" "bridge=bin:$work/bridge" \
	"host-local=bin:$work/host-local" "portmap=bin:$work/portmap" \
	"containerd-shim-runc-v2=bin:$work/containerd-shim-runc-v2" \
	"runc=bin:$work/runc" "pause.tar=image:$work/pause.tar" \
	"coredns.tar=image:$work/coredns.tar" >&2
echo "$want" >"$stamp"
echo "build-bundle: $(du -sb "$assets" | cut -f1) bytes in $assets" >&2
