#!/usr/bin/env bash
# Starts COUNT test hosts: containers that boot systemd and run sshd, on a network of their
# own, reachable with a key pair made for this run. Prints the path of the run's inventory
# (inventory.json: network, users, and per host name, container id, IP, SSH port, key path
# and host public key). On failure everything started is removed again.
#
# Usage: up.sh [--run NAME] [--image REF] [--timeout SECONDS] PREFIX COUNT
#   --run      name of the run (default PREFIX-<random>); hosts are RUN-1 .. RUN-COUNT
#   --image    image to start (default: the one build-image.sh builds or finds)
#   --timeout  how long hosts may take to boot (default 120)
# Environment: LC_HOSTS_LCPASS_PASSWORD sets lcpass's password (default: random, written to
#   RUN_DIR/lcpass-password); LC_HOSTS_PRIVILEGED=auto|yes|no picks how privileges are
#   granted; LC_HOSTS_KEEP_ON_FAILURE=1 keeps a failed run for inspection.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

run=
run_dir=
done_ok=false

# cleanup removes a run that did not come up, unless asked to keep it.
cleanup() {
	$done_ok && return 0
	[[ -n $run ]] || return 0
	if [[ ${LC_HOSTS_KEEP_ON_FAILURE:-} == 1 ]]; then
		log "keeping failed run $run; remove it with down.sh $run"
		return 0
	fi
	"$hosts_dir/down.sh" "$run" || log "cleanup of $run failed; run down.sh $run"
}

# make_secrets writes the run's key pair and lcpass's password into the run directory.
make_secrets() {
	need_cmd ssh-keygen openssh-client
	mkdir -p "$run_dir"
	chmod 0700 "$run_dir"
	ssh-keygen -q -t ed25519 -N '' -C "lightcluster-$run" -f "$run_dir/id_ed25519" ||
		die "generate the SSH key of $run"
	(
		umask 077
		if [[ -n ${LC_HOSTS_LCPASS_PASSWORD:-} ]]; then
			printf '%s' "$LC_HOSTS_LCPASS_PASSWORD" >"$run_dir/lcpass-password"
		else
			head -c 18 /dev/urandom | base64 | tr -d '/+=\n' >"$run_dir/lcpass-password"
		fi
	)
}

# create_network makes the run's network. Docker picks a free subnet; the network is then
# made again with that subnet spelled out, because only then may hosts keep fixed addresses
# across restarts. Another run taking the subnet in between makes it try again.
create_network() {
	local mtu subnet gateway try
	mtu=$(docker_q network inspect bridge \
		-f '{{index .Options "com.docker.network.driver.mtu"}}' 2>/dev/null) || true
	for try in 1 2 3 4 5; do
		docker_q network create --label "$run_label=$run" \
			${mtu:+--opt com.docker.network.driver.mtu=$mtu} "$run" >/dev/null ||
			die "create network $run"
		subnet=$(docker_q network inspect "$run" -f '{{(index .IPAM.Config 0).Subnet}}')
		gateway=$(docker_q network inspect "$run" -f '{{(index .IPAM.Config 0).Gateway}}')
		docker_q network rm "$run" >/dev/null || die "remove network $run"
		if docker_q network create --label "$run_label=$run" \
			${mtu:+--opt com.docker.network.driver.mtu=$mtu} \
			--subnet "$subnet" --gateway "$gateway" "$run" >/dev/null 2>&1; then
			echo "$subnet"
			return 0
		fi
		log "subnet $subnet was taken meanwhile (try $try)"
	done
	die "create network $run: no stable subnet after 5 tries"
}

# host_ip prints the address of host number i: the subnet's address plus 10 plus i.
host_ip() {
	local subnet=$1 i=$2 a b c d n
	IFS=./ read -r a b c d _ <<<"$subnet"
	n=$(((a << 24 | b << 16 | c << 8 | d) + 10 + i))
	echo "$((n >> 24 & 255)).$((n >> 16 & 255)).$((n >> 8 & 255)).$((n & 255))"
}

# privilege_flags prints, one a line, how containers get machine-like privileges:
# --privileged when the engine can grant every capability. An engine that runs without
# some (such as CAP_SYS_RESOURCE in some virtual machines) fails every privileged
# container, so those get all capabilities it has, with the device, seccomp and /proc
# restrictions lifted one by one.
privilege_flags() {
	local image=$1 mode=${LC_HOSTS_PRIVILEGED:-auto}
	if [[ $mode == auto ]]; then
		mode=no
		bounded 60 docker run --rm --pull never --privileged --entrypoint /bin/true "$image" \
			>/dev/null 2>&1 && mode=yes
	fi
	case $mode in
	yes) echo --privileged ;;
	no)
		printf '%s\n' --cap-add=ALL --cap-drop=SYS_RESOURCE '--device-cgroup-rule=a *:* rwm' \
			--security-opt=seccomp=unconfined --security-opt=apparmor=unconfined \
			--security-opt=systempaths=unconfined
		;;
	*) die "LC_HOSTS_PRIVILEGED must be auto, yes or no, not $mode" ;;
	esac
}

# start_host runs one host container. systemd is PID 1; /var is a volume so that
# containerd and the kubelet do not work on top of the container's own overlay root.
start_host() {
	local name=$1 ip=$2 image=$3
	shift 3
	local extra=()
	[[ -d /lib/modules ]] && extra+=(--volume /lib/modules:/lib/modules:ro)
	docker_q run --detach --pull never --name "$name" --hostname "$name" \
		--label "$run_label=$run" --network "$run" --ip "$ip" \
		"$@" "${extra[@]}" --cgroupns=private \
		--stop-signal SIGRTMIN+3 --stop-timeout 30 \
		--tmpfs /run:rw,exec,nosuid,nodev,mode=0755 \
		--tmpfs /tmp:rw,exec,nosuid,nodev,mode=1777 \
		--mount "type=volume,dst=/var,volume-label=$run_label=$run" \
		--env "container_uuid=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" \
		"$image" >/dev/null || die "start $name"
}

# grant_access installs the run's public key for every user and sets lcpass's password.
grant_access() {
	local name=$1 pub
	pub=$(cat "$run_dir/id_ed25519.pub")
	# shellcheck disable=SC2016 # expanded by the host's shell
	docker_q exec "$name" sh -ec '
		for u in root lcuser lcpass; do
			home=$(getent passwd "$u" | cut -d: -f6)
			install -d -m 0700 -o "$u" -g "$u" "$home/.ssh"
			printf "%s\n" "$1" >"$home/.ssh/authorized_keys"
			chown "$u:$u" "$home/.ssh/authorized_keys"
			chmod 0600 "$home/.ssh/authorized_keys"
		done
		rm -f /run/nologin' grant "$pub" || die "install the SSH key on $name"
	{
		printf 'lcpass:'
		cat "$run_dir/lcpass-password"
		echo
	} | docker_q exec -i "$name" chpasswd || die "set the password of lcpass on $name"
}

# json_str prints a JSON string literal.
json_str() {
	local s=${1//\\/\\\\}
	s=${s//\"/\\\"}
	printf '"%s"' "$s"
}

# host_json prints one host's inventory entry.
host_json() {
	local name=$1 ip=$2 id host_key machine_id
	id=$(docker_q inspect -f '{{.Id}}' "$name") || die "inspect $name"
	host_key=$(docker_q exec "$name" cat /etc/ssh/ssh_host_ed25519_key.pub | cut -d' ' -f1,2) ||
		die "read the host key of $name"
	machine_id=$(docker_q exec "$name" cat /etc/machine-id) || die "read machine id of $name"
	printf '    {"name": %s, "containerId": %s, "ip": %s, "sshPort": 22,\n' \
		"$(json_str "$name")" "$(json_str "$id")" "$(json_str "$ip")"
	printf '     "machineId": %s, "hostPublicKey": %s,\n' \
		"$(json_str "$machine_id")" "$(json_str "$host_key")"
	printf '     "keyPath": %s, "users": %s}' "$(json_str "$run_dir/id_ed25519")" "$(users_json)"
}

# users_json lists the accounts every host has and how each gets root.
users_json() {
	printf '[{"name": "root", "sudo": "none"}, {"name": "lcuser", "sudo": "nopasswd"}, '
	printf '{"name": "lcpass", "sudo": "password", "passwordFile": %s}]' \
		"$(json_str "$run_dir/lcpass-password")"
}

# write_inventory writes inventory.json for hosts named in $@ (name=ip pairs).
write_inventory() {
	local image=$1 subnet=$2 privileged=$3 sep="" pair
	shift 3
	{
		printf '{\n  "run": %s, "network": %s, "subnet": %s, "image": %s,\n' \
			"$(json_str "$run")" "$(json_str "$run")" "$(json_str "$subnet")" "$(json_str "$image")"
		printf '  "privileged": %s, "keyPath": %s, "publicKeyPath": %s,\n' \
			"$privileged" "$(json_str "$run_dir/id_ed25519")" \
			"$(json_str "$run_dir/id_ed25519.pub")"
		printf '  "users": %s,\n  "hosts": [\n' "$(users_json)"
		for pair in "$@"; do
			printf '%s' "$sep"
			host_json "${pair%%=*}" "${pair#*=}"
			sep=$',\n'
		done
		printf '\n  ]\n}\n'
	} >"$run_dir/inventory.json.tmp"
	mv "$run_dir/inventory.json.tmp" "$run_dir/inventory.json"
}

main() {
	local image="" timeout=120 prefix count subnet flags i name ip start privileged=false
	local names=() pairs=()
	while [[ $# -gt 0 ]]; do
		case $1 in
		--run) run=${2:?--run needs a name} && shift 2 ;;
		--image) image=${2:?--image needs a reference} && shift 2 ;;
		--timeout) timeout=${2:?--timeout needs seconds} && shift 2 ;;
		-*) die "unknown flag $1 (usage: up.sh [--run NAME] [--image REF] PREFIX COUNT)" ;;
		*) break ;;
		esac
	done
	[[ $# -eq 2 ]] || die "usage: up.sh [--run NAME] [--image REF] [--timeout SECONDS] PREFIX COUNT"
	prefix=$1 count=$2
	if ! [[ $count =~ ^[0-9]+$ ]] || ((count < 1 || count > 50)); then
		die "COUNT must be 1 to 50"
	fi
	[[ -n $run ]] || run="$prefix-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
	valid_name "$run-$count" || die "invalid run name $run (lowercase letters, digits, -)"
	run_dir=$state_root/$run
	[[ ! -e $run_dir ]] || die "run $run exists already ($run_dir)"
	docker_q network inspect "$run" >/dev/null 2>&1 && die "network $run exists already"
	start=$SECONDS

	[[ -n $image ]] || image=$("$hosts_dir/build-image.sh") || die "build the host image"
	docker_q image inspect "$image" >/dev/null 2>&1 ||
		die "image $image is not on this machine (build-image.sh builds it)"
	trap cleanup EXIT
	make_secrets
	subnet=$(create_network)
	flags=$(privilege_flags "$image")
	mapfile -t flags <<<"$flags"
	[[ ${flags[0]} == --privileged ]] && privileged=true
	for ((i = 1; i <= count; i++)); do
		name=$run-$i
		ip=$(host_ip "$subnet" "$i")
		start_host "$name" "$ip" "$image" "${flags[@]}"
		names+=("$name")
		pairs+=("$name=$ip")
	done

	"$hosts_dir/wait.sh" --timeout "$timeout" "${names[@]}"
	for name in "${names[@]}"; do
		grant_access "$name"
	done
	write_inventory "$image" "$subnet" "$privileged" "${pairs[@]}"
	done_ok=true
	log "started $count hosts of run $run in $((SECONDS - start)) s"
	echo "$run_dir/inventory.json"
}

main "$@"
