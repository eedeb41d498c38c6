#!/usr/bin/env bash
# Builds the test-host image: a Debian bookworm root file system with systemd as PID 1, sshd
# and sudo, imported into the local Docker engine as lightcluster/testhost:<hash>. The tag
# hashes this script, the files under image/ and the package list, so the image is built
# once per machine and reused until one of them changes. Prints the image reference.
#
# Usage: build-image.sh [--print-ref] [--force]
#   --print-ref  print the reference the inputs give, build nothing
#   --force      build even when the image exists
# Environment: LC_HOSTS_MIRROR (Debian mirror, default deb.debian.org),
#   LC_HOSTS_CACHE_DIR (package cache and lock, default /var/cache/lightcluster).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

suite=bookworm
build_dir=
packages=systemd,systemd-sysv,dbus,openssh-server,openssh-sftp-server,sudo,iptables
packages+=,iproute2,ca-certificates,procps,kmod,curl,iputils-ping,conntrack,nftables
mirror=${LC_HOSTS_MIRROR:-http://deb.debian.org/debian}

# Units that fail or make no sense in a container: consoles, kernel file systems that
# the engine already provides or forbids, login accounting and periodic maintenance.
masked_units=(
	getty@.service serial-getty@.service console-getty.service getty.target
	systemd-udevd.service systemd-udev-trigger.service systemd-udev-settle.service
	dev-hugepages.mount sys-fs-fuse-connections.mount sys-kernel-config.mount
	sys-kernel-debug.mount sys-kernel-tracing.mount proc-sys-fs-binfmt_misc.automount
	systemd-update-utmp.service systemd-update-utmp-runlevel.service
	systemd-remount-fs.service systemd-firstboot.service systemd-modules-load.service
	apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer
	fstrim.timer e2scrub_reap.service
)

# image_ref prints the reference of the image the current inputs produce.
image_ref() {
	local arch sum
	arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
	sum=$(
		{
			cat "$hosts_dir/build-image.sh"
			printf '%s %s %s\n' "$suite" "$packages" "$arch"
			(cd "$hosts_dir/image" && find . -type f | LC_ALL=C sort | xargs sha256sum)
		} | sha256sum | cut -c1-12
	)
	echo "$image_repo:$sum"
}

# bootstrap installs the packages into dir, keeping downloads for the next build.
bootstrap() {
	local dir=$1
	need_cmd debootstrap debootstrap
	as_root mkdir -p "$cache_root/debs"
	log "debootstrap $suite into $dir"
	as_root bounded 1200 debootstrap --variant=minbase --include="$packages" \
		--cache-dir="$cache_root/debs" "$suite" "$dir" "$mirror" >&2 ||
		die "debootstrap $suite failed"
}

# prepare turns the tree into a host that boots in a container and is reached over SSH.
prepare() {
	local dir=$1
	as_root cp -a "$hosts_dir/image/." "$dir/"
	as_root chmod 0440 "$dir/etc/sudoers.d/lcuser" "$dir/etc/sudoers.d/lcpass"
	as_root chmod 0755 "$dir/usr/local/sbin/lightcluster-init"

	# Each host gets its own machine id and host keys at its first boot.
	as_root truncate -s 0 "$dir/etc/machine-id"
	as_root rm -f "$dir/var/lib/dbus/machine-id" "$dir"/etc/ssh/ssh_host_*

	# Users: lcuser sudoes without a password, lcpass with one set at start.
	as_root chroot "$dir" useradd --create-home --shell /bin/bash lcuser
	as_root chroot "$dir" useradd --create-home --shell /bin/bash lcpass
	as_root chroot "$dir" usermod --password '*' lcuser
	as_root chroot "$dir" usermod --password '*' lcpass

	as_root chroot "$dir" systemctl mask "${masked_units[@]}" >&2
	as_root chroot "$dir" systemctl enable ssh.service lightcluster-hostkeys.service >&2
	as_root chroot "$dir" systemctl set-default multi-user.target >&2

	# Package lists and downloaded archives only make the image bigger.
	as_root rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin \
		"$dir"/var/cache/apt/archives/*.deb "$dir"/var/log/*.log
}

# import streams the tree into the engine with the settings systemd needs as PID 1. Engines
# that refuse STOPSIGNAL in an import get the image without it; up.sh sets the stop signal
# on every container anyway.
import() {
	local dir=$1 ref=$2 err
	local changes=(--change 'ENV container=docker'
		--change 'ENTRYPOINT ["/usr/local/sbin/lightcluster-init"]'
		--change "LABEL lightcluster.dev/testhost=$suite")
	if import_takes_stopsignal; then
		changes+=(--change 'STOPSIGNAL SIGRTMIN+3')
	else
		log "this engine takes no STOPSIGNAL in an import; the containers set it"
	fi
	log "importing $ref"
	err=$(
		as_root tar --numeric-owner --xattrs --xattrs-include='security.capability' \
			-C "$dir" -cf - . |
			bounded 600 docker import "${changes[@]}" - "$ref" 2>&1 >/dev/null
	) || die "docker import $ref: $err"
}

# import_takes_stopsignal imports an empty image with a stop signal to see if that works.
import_takes_stopsignal() {
	local probe=$image_repo:stopsignal-probe ok=1
	tar -cf - -T /dev/null |
		docker_q import --change 'STOPSIGNAL SIGRTMIN+3' - "$probe" >/dev/null 2>&1 && ok=0
	docker rmi "$probe" >/dev/null 2>&1 || true
	return $ok
}

# remove_tree unmounts what a failed debootstrap may leave mounted, then deletes the tree.
remove_tree() {
	local dir=$1 m
	[[ -d $dir ]] || return 0
	awk -v d="$dir" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r |
		while read -r m; do
			as_root umount -l "$m" || true
		done
	as_root rm -rf --one-file-system "$dir"
}

# prune removes images of older inputs that no container uses, and those a forced
# build left without a tag.
prune() {
	local keep=$1 ref
	for ref in $(docker images --format '{{.Repository}}:{{.Tag}}' "$image_repo"); do
		[[ $ref == "$keep" ]] && continue
		if docker rmi "$ref" >/dev/null 2>&1; then
			log "removed older image $ref"
		fi
	done
	docker_q image prune --force --filter label=lightcluster.dev/testhost >/dev/null || true
}

main() {
	local print_only=false force=false ref start
	while [[ $# -gt 0 ]]; do
		case $1 in
		--print-ref) print_only=true ;;
		--force) force=true ;;
		*) die "unknown argument $1 (usage: build-image.sh [--print-ref] [--force])" ;;
		esac
		shift
	done

	ref=$(image_ref)
	if $print_only; then
		echo "$ref"
		return 0
	fi
	command -v docker >/dev/null || die "docker is missing"
	if ! $force && docker image inspect "$ref" >/dev/null 2>&1; then
		echo "$ref"
		return 0
	fi

	# One build per machine at a time; a second caller waits and then finds the image.
	as_root mkdir -p "$cache_root"
	exec 9>"$cache_root/build.lock" || die "open $cache_root/build.lock"
	flock -w 1800 9 || die "another build holds $cache_root/build.lock for too long"
	if ! $force && docker image inspect "$ref" >/dev/null 2>&1; then
		echo "$ref"
		return 0
	fi

	start=$SECONDS
	build_dir=$(as_root mktemp -d "$cache_root/rootfs.XXXXXX")
	trap 'remove_tree "$build_dir"' EXIT
	bootstrap "$build_dir"
	prepare "$build_dir"
	local bootstrapped=$SECONDS
	import "$build_dir" "$ref"
	log "built $ref in $((SECONDS - start)) s (import $((SECONDS - bootstrapped)) s)"
	prune "$ref"
	echo "$ref"
}

main "$@"
