#!/usr/bin/env bash
# Measures `lightnode agent` on a test host (hack/hosts): time from the start of its
# service to its Node Ready, and memory after an idle period summed over the processes
# of the service (the agent, which holds the kubelet, kube-proxy and flannel, and its
# containerd child). In the same run, on the same host, with the same configuration files,
# certificates and imported images, the peer a user would otherwise assemble: upstream
# containerd, kubelet and kube-proxy as separate processes built from the pinned module
# versions. Also records the size of bin/lightnode, plain and compressed. Writes a
# section of docs/benchmarks.md.
#
#   hack/bench/agent.sh            # IDLE=60 seconds of idle before measuring memory
#   IDLE=10 hack/bench/agent.sh    # quicker, less settled
#   AGENT_ENV="GOGC=25" hack/bench/agent.sh   # environment of both lightnode agent starts
#
# The server runs on a second host with --disable-agent and without CoreDNS, so that no
# pod lands on the measured node. Every wait is bounded; the hosts are removed on exit.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source hack/bench/lib.sh
idle=${IDLE:-60}
ready_timeout=${READY_TIMEOUT:-180}
out_doc=${BENCH_DOC:-$root/docs/benchmarks.md}
work=$(mktemp -d /tmp/lightnode-bench-agent.XXXXXX)
data=/var/lib/lightnode
run=
agent_env=()
for kv in ${AGENT_ENV:-}; do agent_env+=(-E "$kv"); done

cleanup() {
	[[ -n $run ]] && hack/hosts/down.sh "$run" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

log() { echo "bench-agent: $*" >&2; }

# kubectl ARGS...: the server's kubectl on the server host.
kubectl() {
	on "$server" /usr/local/bin/lightnode kubectl --kubeconfig /etc/lightnode/lightnode.yaml "$@"
}

# start_unit HOST UNIT CMD...: starts CMD as a transient service and prints the host's
# clock (Unix nanoseconds) right before it.
start_unit() {
	local host=$1 unit=$2
	shift 2
	on "$host" sh -c 'date +%s%N; unit=$1; shift; exec systemd-run --quiet --unit "$unit" \
		-p Delegate=yes -p KillMode=mixed "$@"' sh "$unit" "$@" | head -1
}

# stop_unit HOST UNIT: stops a transient service and waits until it is gone.
stop_unit() {
	on "$1" systemctl stop "$2" || true
	on "$1" systemctl reset-failed "$2" 2>/dev/null || true
}

# wait_node_ready NAME T0: waits until Node NAME is Ready, at most ready_timeout seconds,
# and prints the seconds from T0 (Unix nanoseconds) to the moment it was seen Ready.
wait_node_ready() {
	local name=$1 t0=$2 deadline=$((SECONDS + ready_timeout)) status
	while ((SECONDS < deadline)); do
		status=$(kubectl get node "$name" -o \
			'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) || true
		if [[ $status == True ]]; then
			awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN{printf "%.1f", (b - a) / 1e9}'
			return 0
		fi
		sleep 0.2
	done
	log "node $name not Ready after ${ready_timeout}s"
	return 1
}

# unit_pids is a shell snippet that prints the processes of unit $1's cgroup, on the
# unified hierarchy or on systemd's own of a cgroup v1 host.
unit_pids='cg=$(systemctl show -p ControlGroup --value "$1")
	for root in /sys/fs/cgroup/systemd /sys/fs/cgroup; do
		[ -d "$root$cg" ] && { find "$root$cg" -name cgroup.procs -exec cat {} + | sort -u; break; }
	done |'

# unit_memory HOST UNIT: prints "processes rss pss anon" (MiB) summed over every process
# of the unit's cgroup, read on the host from /proc/PID/smaps_rollup.
unit_memory() {
	on "$1" sh -c "$unit_pids"'
		while read -r pid; do cat "/proc/$pid/smaps_rollup" 2>/dev/null; done |
		awk "/^Rss:/{r+=\$2; n++} /^Pss:/{p+=\$2} /^Anonymous:/{a+=\$2}
			END{printf \"%d %d %d %d\n\", n, r/1024, p/1024, a/1024}"' sh "$2"
}

# unit_ticks HOST UNIT: prints the CPU time (clock ticks) the processes of the unit's
# cgroup have used so far.
unit_ticks() {
	on "$1" sh -c "$unit_pids"'
		while read -r pid; do cat "/proc/$pid/stat" 2>/dev/null; done |
		awk "{t += \$14 + \$15} END {print t + 0}"' sh "$2"
}

# wait_gone NAME: waits until Node NAME has been deleted.
wait_gone() {
	local name=$1 deadline=$((SECONDS + 60))
	while ((SECONDS < deadline)); do
		kubectl get node "$name" >/dev/null 2>&1 || return 0
		sleep 0.5
	done
	log "node $name still present"
	return 1
}

log "building"
build_start=$(date +%s)
hack/build-bundle.sh >&2
lightnode=$(LIGHTNODE_TAGS=bundle hack/build-lightnode.sh)
peer=$root/bin/peer
mkdir -p "$peer"
for c in kubelet kube-proxy; do
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$peer/$c" "k8s.io/kubernetes/cmd/$c"
done
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$peer/containerd" \
	github.com/containerd/containerd/v2/cmd/containerd
hack/hosts/build-image.sh >&2
log "built in $(($(date +%s) - build_start))s"

size_mib() { awk -v b="$1" 'BEGIN{printf "%.0f", b / 1048576}'; }
plain_size=$(size_mib "$(stat -c %s "$lightnode")")
gzip_size=$(size_mib "$(gzip -c "$lightnode" | wc -c)")
zstd_size="n/a (no zstd)"
if command -v zstd >/dev/null; then
	zstd_size=$(size_mib "$(zstd -q -19 -T0 -c "$lightnode" | wc -c)")
fi

inv=$(hack/hosts/up.sh bench-agent 2)
run=$(jq -r .run "$inv")
server=$(jq -r '.hosts[0].name' "$inv")
server_ip=$(jq -r '.hosts[0].ip' "$inv")
agent=$(jq -r '.hosts[1].name' "$inv")
agent_ip=$(jq -r '.hosts[1].ip' "$inv")
node=$(on "$agent" hostname | tr '[:upper:]' '[:lower:]')
for h in "$server" "$agent"; do
	docker cp "$lightnode" "$h:/usr/local/bin/lightnode" >/dev/null
done
for c in kubelet kube-proxy containerd; do
	docker cp "$peer/$c" "$agent:/usr/local/bin/$c" >/dev/null
done

log "server on $server ($server_ip)"
start_unit "$server" lightnode-server /usr/local/bin/lightnode server --disable-agent \
	--disable coredns --node-ip "$server_ip" >/dev/null
deadline=$((SECONDS + ready_timeout))
until on "$server" test -s "$data/server/agent-token" &&
	kubectl get --raw /readyz >/dev/null 2>&1; do
	((SECONDS < deadline)) || { log "server not ready"; exit 1; }
	sleep 0.5
done
token=$(on "$server" cat "$data/server/agent-token")

results=()

# start_agent: starts lightnode agent on the agent host, waits for its Node Ready and
# sets load (the machine's load average at the start) and ready (seconds to Ready).
start_agent() {
	load=$(cut -d' ' -f1 /proc/loadavg)
	local t0
	t0=$(start_unit "$agent" lightnode-agent "${agent_env[@]}" /usr/local/bin/lightnode \
		agent --server "https://$server_ip:6443" --token "$token" --node-ip "$agent_ip")
	ready=$(wait_node_ready "$node" "$t0") ||
		{ on "$agent" journalctl -u lightnode-agent --no-pager -n 60 >&2; exit 1; }
}

log "lightnode agent on $agent ($agent_ip)"
start_agent
log "lightnode agent: Ready after ${ready}s; idling ${idle}s"
ticks=$(unit_ticks "$agent" lightnode-agent)
sleep "$idle"
cpu=$(cpu_percent "$ticks" "$(unit_ticks "$agent" lightnode-agent)" "$idle")
read -r procs rss pss anon < <(unit_memory "$agent" lightnode-agent)
results+=("| lightnode agent (containerd as its child) | $procs | $load | $ready | $rss | $pss | $anon | $cpu |")
stop_unit "$agent" lightnode-agent

# Each start below begins without the Node, so that the kubelet registers it anew.
forget_node() {
	kubectl delete node "$node" --wait=true >/dev/null
	wait_gone "$node"
}

# lightnode again on the same host: its bundle unpacked, certificates issued and images
# imported already, as after a restart.
forget_node
start_agent
log "lightnode agent, started again: Ready after ${ready}s"
results+=("| lightnode agent, started again | | $load | $ready | | | | |")
stop_unit "$agent" lightnode-agent

# The peer: the files lightnode wrote, read by the upstream programs.
forget_node
bin_dir=$(on "$agent" sh -c "ls -d $data/data/*/bin | head -1")
etc=$data/agent/etc
load=$(cut -d' ' -f1 /proc/loadavg)
t0=$(start_unit "$agent" peer-containerd -E "PATH=$bin_dir:/usr/sbin:/usr/bin:/sbin:/bin" \
	/usr/local/bin/containerd --config "$etc/containerd/config.toml")
start_unit "$agent" peer-kubelet /usr/local/bin/kubelet --config "$etc/kubelet.yaml" \
	--kubeconfig "$data/agent/kubelet.kubeconfig" --hostname-override "$node" \
	--node-ip "$agent_ip" --cert-dir "$data/agent/tls/kubelet" >/dev/null
start_unit "$agent" peer-kube-proxy /usr/local/bin/kube-proxy \
	--config "$etc/kube-proxy.yaml" >/dev/null
ready=$(wait_node_ready "$node" "$t0") ||
	{ on "$agent" journalctl -u peer-kubelet --no-pager -n 60 >&2; exit 1; }
log "peer: Ready after ${ready}s; idling ${idle}s"
peer_units=(peer-containerd peer-kubelet peer-kube-proxy)
peer_ticks() {
	local t=0 u
	for u in "${peer_units[@]}"; do t=$((t + $(unit_ticks "$agent" "$u"))); done
	echo "$t"
}
ticks=$(peer_ticks)
sleep "$idle"
cpu=$(cpu_percent "$ticks" "$(peer_ticks)" "$idle")
procs=0 rss=0 pss=0 anon=0
for u in "${peer_units[@]}"; do
	on "$agent" systemctl is-active --quiet "$u" || { log "$u died"; exit 1; }
	read -r n r p a < <(unit_memory "$agent" "$u")
	procs=$((procs + n)) rss=$((rss + r)) pss=$((pss + p)) anon=$((anon + a))
done
results+=("| upstream containerd + kubelet + kube-proxy | $procs | $load | $ready | $rss | $pss | $anon | $cpu |")
for u in peer-kube-proxy peer-kubelet peer-containerd; do stop_unit "$agent" "$u"; done

section=$(
	cat <<MD
<!-- bench:agent -->
## Agent on a test host

Measured by \`hack/bench/agent.sh\` on $(nproc) CPUs, $(uname -r), $(date -u +%Y-%m-%d);
lightnode $("$lightnode" version). The agent runs on a test host (a container, see
\`hack/hosts/\`) and joins a server on a second one (\`--disable-agent\`, no CoreDNS, so no
pod runs on the measured node). Ready is the time from the start of the service to the Node
seen Ready through the API (polled every 0.2 s); memory is summed over the service's
processes after ${idle} s idle, in MiB (PSS counts shared pages once; anonymous is heap
and stacks), and idle CPU is what they used during those ${idle} s, in percent of one CPU.
Load is the machine's one-minute load average at the start.

| setup | processes | load | Ready (s) | RSS (MiB) | PSS (MiB) | anonymous (MiB) | idle CPU (%) |
|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${results[@]}")

Every lightnode process hands back the pages of its program that start-up mapped 30 s
after it starts (package \`node-binary/residency\`), so its figures are those of a node
that has run for a while, with what it still uses mapped again; the upstream programs
keep every page they mapped. The first row is a first start: the agent fetches its
certificates, unpacks its bundle and imports its images before the kubelet starts. The
second is the same agent started again with its Node deleted, as after a restart. The
peer runs right after on the same host with lightnode's configuration files,
certificates and imported images, so it compares with the second row; it has no pod
network agent (lightnode's flannel runs inside the agent; the peer keeps the CNI
configuration flannel wrote). Targets: Ready within 20 s, at most 150 MiB (K3s documents
256 MiB for its agent).

| bin/lightnode | MiB |
|---|---|
| plain | $plain_size |
| gzip -6 | $gzip_size |
| zstd -19 | $zstd_size |

The target for the compressed binary is at most 70 MiB: zstd meets it, gzip does not.
About 22 MiB of either is the bundle (runc, the runc shim, the CNI plugins, the pause and
CoreDNS images), which is compressed with zstd inside the binary already.
<!-- /bench:agent -->
MD
)

write_section agent "$section" "$out_doc"
log "wrote $out_doc"
printf '%s\n' "${results[@]}"
