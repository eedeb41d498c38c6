#!/usr/bin/env bash
# Removes a run of test hosts: its containers with their volumes, its network and its state
# directory (key pair, password, inventory). Safe to run twice and after a failed up.sh.
#
# Usage: down.sh RUN | RUN_DIR | --all
#   --all  remove every run of test hosts on this machine
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# remove_labelled removes the containers, volumes and networks that carry filter's label.
remove_labelled() {
	local filter=$1 ids
	ids=$(docker_q ps -aq --filter "label=$filter")
	if [[ -n $ids ]]; then
		# shellcheck disable=SC2086
		docker_q rm -f -v $ids >/dev/null || die "remove containers of $filter"
	fi
	ids=$(docker_q volume ls -q --filter "label=$filter")
	if [[ -n $ids ]]; then
		# shellcheck disable=SC2086
		docker_q volume rm -f $ids >/dev/null || die "remove volumes of $filter"
	fi
	ids=$(docker_q network ls -q --filter "label=$filter")
	if [[ -n $ids ]]; then
		# shellcheck disable=SC2086
		docker_q network rm $ids >/dev/null || die "remove networks of $filter"
	fi
}

# check_removed fails when anything of filter's label is left.
check_removed() {
	local filter=$1 left
	left=$(
		docker_q ps -aq --filter "label=$filter"
		docker_q volume ls -q --filter "label=$filter"
		docker_q network ls -q --filter "label=$filter"
	)
	[[ -z $left ]] || die "still present after removal of $filter: ${left//$'\n'/ }"
}

main() {
	[[ $# -eq 1 ]] || die "usage: down.sh RUN | RUN_DIR | --all"
	local run filter
	if [[ $1 == --all ]]; then
		filter=$run_label
	else
		run=$(basename "$1")
		valid_name "$run" || die "invalid run name $run"
		filter="$run_label=$run"
	fi

	remove_labelled "$filter"
	check_removed "$filter"
	if [[ -n ${run:-} ]]; then
		rm -rf "${state_root:?}/$run"
	else
		find "$state_root" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} + 2>/dev/null || true
	fi
	log "removed ${run:-all runs}"
}

main "$@"
