#!/usr/bin/env bash
# Waits until test hosts are up: systemd has finished starting (running or degraded) and
# sshd answers on the host's address from this machine. Units that failed are reported.
#
# Usage: wait.sh [--timeout SECONDS] CONTAINER...
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# wait_systemd waits for the boot to finish and prints systemd's final state.
wait_systemd() {
	local name=$1 deadline=$2 state
	while ((SECONDS < deadline)); do
		state=$(bounded $((deadline - SECONDS + 1)) docker exec "$name" \
			systemctl is-system-running --wait 2>/dev/null) || true
		case $state in
		running | degraded)
			echo "$state"
			return 0
			;;
		esac
		sleep 0.5
	done
	return 1
}

# wait_sshd waits until sshd sends its banner on ip:22, the way a client first sees it.
wait_sshd() {
	local ip=$1 deadline=$2 banner
	while ((SECONDS < deadline)); do
		banner=$(bounded 3 bash -c "exec 3<>/dev/tcp/$ip/22 && head -c 4 <&3" 2>/dev/null) || true
		[[ $banner == SSH- ]] && return 0
		sleep 0.5
	done
	return 1
}

# report_failure shows what a host that did not come up was doing.
report_failure() {
	local name=$1
	log "last lines of $name:"
	docker logs --tail 30 "$name" >&2 2>&1 || true
	bounded 10 docker exec "$name" systemctl --no-pager --failed >&2 2>&1 || true
}

main() {
	local timeout=120 deadline name ip state
	while [[ $# -gt 0 ]]; do
		case $1 in
		--timeout)
			timeout=${2:?--timeout needs seconds}
			shift 2
			;;
		-*) die "unknown flag $1 (usage: wait.sh [--timeout SECONDS] CONTAINER...)" ;;
		*) break ;;
		esac
	done
	[[ $# -gt 0 ]] || die "usage: wait.sh [--timeout SECONDS] CONTAINER..."
	deadline=$((SECONDS + timeout))

	for name in "$@"; do
		if ! state=$(wait_systemd "$name" "$deadline"); then
			report_failure "$name"
			die "$name: systemd did not finish starting within ${timeout} s"
		fi
		if [[ $state == degraded ]]; then
			log "$name is degraded; failed units:"
			bounded 10 docker exec "$name" systemctl --no-pager --failed >&2 || true
		fi

		ip=$(docker_q inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' \
			"$name") || die "inspect $name"
		if ! wait_sshd "$ip" "$deadline"; then
			report_failure "$name"
			die "$name: sshd did not answer on $ip:22 within ${timeout} s"
		fi
	done
}

main "$@"
