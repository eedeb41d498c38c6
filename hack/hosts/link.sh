#!/usr/bin/env bash
# Pulls or plugs a test host's network cable: sets the engine side of the host's eth0 link
# down or up. The host keeps its interface, address and routes and sees only the carrier
# go, as a machine does when its switch port dies; peers and this machine lose it.
#
# Usage: link.sh CONTAINER down|up
set -euo pipefail
source "$(dirname "$0")/lib.sh"

main() {
	[[ $# -eq 2 && ($2 == down || $2 == up) ]] || die "usage: link.sh CONTAINER down|up"
	local name=$1 state=$2 index peer
	index=$(docker_q exec "$name" cat /sys/class/net/eth0/iflink) ||
		die "read the link index of $name"
	peer=$(ip -o link | awk -F': ' -v i="$index" '$1 == i { sub(/@.*/, "", $2); print $2 }')
	[[ -n $peer ]] || die "no interface on this machine links to eth0 of $name"
	as_root ip link set "$peer" "$state" || die "set $peer ($name) $state"
}

main "$@"
