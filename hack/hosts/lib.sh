# shellcheck shell=bash disable=SC2034 # the sourcing scripts use the names
# Shared definitions of the test-host scripts: names, labels, logging and bounded commands.
# Sourced by build-image.sh, up.sh, wait.sh and down.sh; it runs nothing by itself.

hosts_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$hosts_dir/../.." && pwd)

# image_repo is the local image repository of test hosts; tags are content hashes.
image_repo=lightcluster/testhost
# run_label marks every container, volume and network of one run with the run name.
run_label=lightcluster.dev/testhost-run
# state_root holds one directory per run: key pair, password file, inventory.
state_root=${LC_HOSTS_STATE_DIR:-$repo_root/.cache/hosts}
# cache_root holds the downloaded Debian packages and the build lock.
cache_root=${LC_HOSTS_CACHE_DIR:-/var/cache/lightcluster}

log() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# bounded runs a command with a time limit in seconds; a timeout fails with status 124.
bounded() {
	local secs=$1
	shift
	timeout --kill-after=10 "$secs" "$@"
}

# as_root runs a command as root, through passwordless sudo when needed.
as_root() {
	if [[ $EUID -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo -n "$@"
	else
		die "root is needed for: $1 (run as root or allow passwordless sudo)"
	fi
}

# need_cmd makes sure a command exists, installing its Debian package when missing.
need_cmd() {
	local cmd=$1 pkg=$2
	command -v "$cmd" >/dev/null && return 0
	command -v apt-get >/dev/null || die "$cmd is missing; install package $pkg"
	log "installing $pkg for $cmd"
	as_root env DEBIAN_FRONTEND=noninteractive bash -c \
		"timeout 300 apt-get update -qq && timeout 600 apt-get install -y -qq $pkg" >&2 ||
		die "install $pkg failed"
	command -v "$cmd" >/dev/null || die "$cmd still missing after installing $pkg"
}

# docker_q runs a docker command bounded to two minutes, which covers any single call.
docker_q() { bounded 120 docker "$@"; }

# valid_name accepts lowercase RFC 1123 labels, the form of host and node names.
valid_name() { [[ $1 =~ ^[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?$ ]]; }
