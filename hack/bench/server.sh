#!/usr/bin/env bash
# Measures lightnode server against the same control plane run as separate upstream
# processes (etcd, kube-apiserver, kube-controller-manager, kube-scheduler), all built
# from the pinned module versions: time from process start to /readyz ok, and memory
# after an idle period (RSS, PSS and anonymous memory summed over the processes, from
# /proc/PID/smaps_rollup). Writes a section of docs/benchmarks.md.
#
#   hack/bench/server.sh            # IDLE=60 seconds of idle before measuring memory
#   IDLE=10 hack/bench/server.sh    # quicker, less settled
#
# Every wait is bounded; the processes it starts are stopped on exit.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source hack/bench/lib.sh
idle=${IDLE:-60}
ready_timeout=${READY_TIMEOUT:-180}
out_doc=${BENCH_DOC:-$root/docs/benchmarks.md}
work=$(mktemp -d /tmp/lightnode-bench.XXXXXX)
pids=()

cleanup() {
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

log() { echo "bench: $*" >&2; }

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

now() { date +%s.%N; }

# wait_ready URL PID...: waits until URL/readyz answers ok (any client), at most
# ready_timeout seconds, failing early when one of the processes died.
wait_ready() {
	local url=$1
	shift
	local deadline=$((SECONDS + ready_timeout))
	while ((SECONDS < deadline)); do
		for pid in "$@"; do
			kill -0 "$pid" 2>/dev/null || { log "process $pid died"; return 1; }
		done
		if [[ "$(curl -sk --max-time 2 "$url/readyz" 2>/dev/null)" == ok ]]; then
			return 0
		fi
		sleep 0.1
	done
	log "$url not ready after ${ready_timeout}s"
	return 1
}

# memory PID...: prints "rss pss anon" in MiB summed over the processes.
memory() {
	local rss=0 pss=0 anon=0
	for pid in "$@"; do
		read -r r p a < <(awk '/^Rss:/{r=$2} /^Pss:/{p=$2} /^Anonymous:/{a=$2}
			END{print r, p, a}' "/proc/$pid/smaps_rollup")
		rss=$((rss + r)) pss=$((pss + p)) anon=$((anon + a))
	done
	echo "$((rss / 1024)) $((pss / 1024)) $((anon / 1024))"
}

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", b - a}'; }

stop_all() {
	for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "$@"; do
		for _ in $(seq 1 150); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL "$pid" 2>/dev/null || true
	done
	pids=()
}

results=()

# bench_lightnode NAME ARGS...: one lightnode server in a fresh data dir.
bench_lightnode() {
	local name=$1
	shift
	local dir=$work/$name port
	port=$(free_port)
	mkdir -p "$dir"
	log "$name: starting lightnode server on port $port"
	local start
	start=$(now)
	LIGHTNODE_ETCD_CLIENT_PORT=$(free_port) LIGHTNODE_ETCD_PEER_PORT=$(free_port) \
		"$lightnode" server --disable-agent --data-dir "$dir/data" \
		--write-kubeconfig "$dir/kubeconfig.yaml" --bind-address 127.0.0.1 \
		--node-ip 127.0.0.1 --https-listen-port "$port" "$@" >"$dir/log" 2>&1 &
	local pid=$!
	pids=("$pid")
	wait_ready "https://127.0.0.1:$port" "$pid" || { tail -20 "$dir/log" >&2; return 1; }
	local ready
	ready=$(elapsed "$start" "$(now)")
	log "$name: ready after ${ready}s; idling ${idle}s"
	local ticks
	ticks=$(cpu_ticks "$pid")
	sleep "$idle"
	kill -0 "$pid" || { tail -20 "$dir/log" >&2; return 1; }
	results+=("| $name | 1 | $ready | $(memory "$pid" | awk '{print $1" | "$2" | "$3}') |\
 $(cpu_percent "$ticks" "$(cpu_ticks "$pid")" "$idle") |")
	stop_all "$pid"
	last_data=$dir/data
}

# bench_peer: etcd, kube-apiserver, kube-controller-manager and kube-scheduler as
# separate processes, with the certificates of the last lightnode run.
bench_peer() {
	local dir=$work/peer tls=$last_data/server/tls cred=$last_data/server/cred
	local port etcd_port peer_port
	port=$(free_port) etcd_port=$(free_port) peer_port=$(free_port)
	mkdir -p "$dir"
	sed "s#https://127.0.0.1:[0-9]*#https://127.0.0.1:$port#" "$cred/controller-manager.kubeconfig" \
		>"$dir/kcm.kubeconfig"
	sed "s#https://127.0.0.1:[0-9]*#https://127.0.0.1:$port#" "$cred/scheduler.kubeconfig" \
		>"$dir/sched.kubeconfig"
	log "peer: starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler"
	local start
	start=$(now)
	"$k8s/etcd" --data-dir "$dir/etcd" --listen-client-urls "http://127.0.0.1:$etcd_port" \
		--advertise-client-urls "http://127.0.0.1:$etcd_port" \
		--listen-peer-urls "http://127.0.0.1:$peer_port" >"$dir/etcd.log" 2>&1 &
	local etcd=$!
	"$k8s/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" \
		--bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$port" \
		--cert-dir "$dir/certs" \
		--tls-cert-file "$tls/serving-kube-apiserver.crt" \
		--tls-private-key-file "$tls/serving-kube-apiserver.key" \
		--client-ca-file "$tls/client-ca.crt" \
		--service-account-key-file "$tls/service.pub" \
		--service-account-signing-key-file "$tls/service.key" \
		--service-account-issuer https://kubernetes.default.svc.cluster.local \
		--service-cluster-ip-range 10.43.0.0/16 --authorization-mode Node,RBAC \
		--endpoint-reconciler-type none \
		>"$dir/apiserver.log" 2>&1 &
	local api=$!
	pids=("$etcd" "$api")
	wait_ready "https://127.0.0.1:$port" "$etcd" "$api" ||
		{ tail -20 "$dir/apiserver.log" >&2; return 1; }
	local ready
	ready=$(elapsed "$start" "$(now)")
	"$peer/kube-controller-manager" --kubeconfig "$dir/kcm.kubeconfig" \
		--authentication-kubeconfig "$dir/kcm.kubeconfig" \
		--authorization-kubeconfig "$dir/kcm.kubeconfig" --secure-port 0 \
		--service-account-private-key-file "$tls/service.key" \
		--root-ca-file "$tls/server-ca.crt" --use-service-account-credentials \
		--cluster-signing-cert-file "$tls/client-ca.crt" \
		--cluster-signing-key-file "$tls/client-ca.key" --leader-elect=false \
		>"$dir/kcm.log" 2>&1 &
	local kcm=$!
	"$peer/kube-scheduler" --kubeconfig "$dir/sched.kubeconfig" \
		--authentication-kubeconfig "$dir/sched.kubeconfig" \
		--authorization-kubeconfig "$dir/sched.kubeconfig" --secure-port 0 \
		--leader-elect=false >"$dir/sched.log" 2>&1 &
	local sched=$!
	pids=("$etcd" "$api" "$kcm" "$sched")
	log "peer: apiserver ready after ${ready}s; idling ${idle}s"
	local ticks
	ticks=$(cpu_ticks "${pids[@]}")
	sleep "$idle"
	for pid in "${pids[@]}"; do kill -0 "$pid" || { log "peer process $pid died"; return 1; }; done
	results+=("| upstream etcd + kube-apiserver + kcm + scheduler | 4 | $ready | $(memory \
		"${pids[@]}" | awk '{print $1" | "$2" | "$3}') | $(cpu_percent "$ticks" \
		"$(cpu_ticks "${pids[@]}")" "$idle") |")
	stop_all "${pids[@]}"
}

log "building"
build_start=$(now)
# The same complete build as make lightnode, so that bin/lightnode stays usable.
hack/build-bundle.sh >&2
lightnode=$(LIGHTNODE_TAGS=bundle hack/build-lightnode.sh)
k8s=$(hack/envtest-assets.sh)
peer=$root/bin/peer
mkdir -p "$peer"
for c in kube-controller-manager kube-scheduler; do
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$peer/$c" "k8s.io/kubernetes/cmd/$c"
done
log "built in $(elapsed "$build_start" "$(now)")s"

bench_lightnode "lightnode server (etcd, --cluster-init)" --cluster-init
bench_lightnode "lightnode server (SQLite)"
bench_peer

section=$(
	cat <<MD
<!-- bench:server -->
## Control plane on one machine

Measured by \`hack/bench/server.sh\` on $(nproc) CPUs, $(uname -r), $(date -u +%Y-%m-%d);
lightnode $("$lightnode" version). Ready is the time from process start to \`/readyz\`
answering ok; memory is summed over the processes after ${idle} s idle, in MiB (PSS counts
shared pages once; anonymous is heap and stacks, the rest is file-backed binary pages);
idle CPU is what the processes used during those ${idle} s, in percent of one CPU.

| setup | processes | ready (s) | RSS (MiB) | PSS (MiB) | anonymous (MiB) | idle CPU (%) |
|---|---|---|---|---|---|---|
$(printf '%s\n' "${results[@]}")

The upstream processes run with default flags plus what they need to talk to each other;
lightnode runs kube-apiserver, kube-controller-manager and kube-scheduler (and kine or
etcd) in one process with its own defaults (no agent): a heap target 25 % above the live
heap (\`GOGC=25\`, where Go's default is 100), and 30 s after its start it hands back the
pages of its program that start-up mapped (package \`node-binary/residency\`); the
upstream processes keep Go's defaults and every page they mapped.
<!-- /bench:server -->
MD
)

write_section server "$section" "$out_doc"
log "wrote $out_doc"
printf '%s\n' "${results[@]}"
