#!/usr/bin/env bash
# Measures how long a fresh one-node cluster takes until a pod resolves a Service name
# through the cluster DNS. On a new test host (hack/hosts), the manifests directory of
# lightnode server already holds a Deployment whose pod asks for
# kubernetes.default.svc.cluster.local every 100 ms; the clock starts when the server's
# service starts (`lightnode server`, with its agent, SQLite, defaults) and stops at the
# pod's first answer. Also reported, from the same start: the API server ready, the Node
# Ready, the CoreDNS pod Ready. Each run uses a new host; writes a section of
# docs/benchmarks.md.
#
#   hack/bench/dns.sh            # RUNS=3 hosts, one after the other
#   RUNS=1 hack/bench/dns.sh
#
# Every wait is bounded; the hosts are removed on exit.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source hack/bench/lib.sh
runs=${RUNS:-3}
resolve_timeout=${RESOLVE_TIMEOUT:-300}
out_doc=${BENCH_DOC:-$root/docs/benchmarks.md}
work=$(mktemp -d /tmp/lightnode-bench-dns.XXXXXX)
lookup_ref=lightcluster.dev/dnslookup:bench
run=

cleanup() {
	[[ -n $run ]] && hack/hosts/down.sh "$run" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

log() { echo "bench-dns: $*" >&2; }

# kubectl HOST ARGS...: the server's kubectl on the test host.
kubectl() {
	local host=$1
	shift
	on "$host" /usr/local/bin/lightnode kubectl --kubeconfig /etc/lightnode/lightnode.yaml "$@"
}

# since T0 TIME: seconds from T0 (Unix nanoseconds) to TIME (RFC 3339 or Unix seconds).
since() {
	local t0=$1 t=$2
	[[ $t =~ ^[0-9.]+$ ]] || t=$(date -d "$t" +%s)
	awk -v a="$t0" -v b="$t" 'BEGIN{printf "%.1f", b - a / 1e9}'
}

# nanos_since T0 T: seconds from T0 to T, both Unix nanoseconds.
nanos_since() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", (b - a) / 1e9}'; }

# The pod the manifests directory holds before the server starts.
bench_manifest() {
	cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: dnsbench, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: dnsbench}}
  template:
    metadata: {labels: {app: dnsbench}}
    spec:
      containers:
      - name: lookup
        image: $lookup_ref
        imagePullPolicy: Never
        args: [-wait, 10m, kubernetes.default.svc.cluster.local]
YAML
}

# wait_resolved HOST: prints the pod's "started" and "resolved" times in Unix
# nanoseconds.
wait_resolved() {
	local host=$1 deadline=$((SECONDS + resolve_timeout)) out
	while ((SECONDS < deadline)); do
		out=$(kubectl "$host" logs deployment/dnsbench 2>/dev/null) || true
		if grep -q '^resolved ' <<<"$out"; then
			awk '/^(started|resolved) /{printf "%s ", $2} END{print ""}' <<<"$out"
			return 0
		fi
		sleep 0.5
	done
	log "no pod resolved a Service name within ${resolve_timeout}s"
	on "$host" journalctl -u lightnode-server --no-pager -n 60 >&2 || true
	return 1
}

# bench_once N: one run on a new host; appends a row to results.
bench_once() {
	local n=$1 inv host ip t0 started resolved api node dns load
	inv=$(hack/hosts/up.sh bench-dns 1)
	run=$(jq -r .run "$inv")
	host=$(jq -r '.hosts[0].name' "$inv")
	ip=$(jq -r '.hosts[0].ip' "$inv")
	log "run $n: host $host ($ip)"

	docker cp "$lightnode" "$host:/usr/local/bin/lightnode" >/dev/null
	on "$host" mkdir -p /var/lib/lightnode/agent/images /var/lib/lightnode/server/manifests
	docker cp "$work/dnslookup.tar" "$host:/var/lib/lightnode/agent/images/" >/dev/null
	bench_manifest | timeout 60 docker exec -i "$host" \
		sh -c 'cat >/var/lib/lightnode/server/manifests/dnsbench.yaml'

	# The start time is taken on the host, right before the service starts; the load
	# average says how busy the machine was.
	load=$(cut -d' ' -f1 /proc/loadavg)
	t0=$(on "$host" sh -c 'date +%s%N; systemd-run --quiet --unit lightnode-server \
		-p Delegate=yes -p KillMode=process /usr/local/bin/lightnode server \
		--node-ip "$1"' sh "$ip" | head -1)
	read -r started resolved < <(wait_resolved "$host")
	[[ -n $resolved ]] || return 1

	api=$(on "$host" journalctl -u lightnode-server -o short-unix --no-pager |
		awk '/API server ready/ && !seen {print $1; seen = 1}')
	node=$(kubectl "$host" get nodes -o \
		'jsonpath={.items[0].status.conditions[?(@.type=="Ready")].lastTransitionTime}')
	dns=$(kubectl "$host" -n kube-system get pods -l k8s-app=kube-dns -o \
		'jsonpath={.items[0].status.conditions[?(@.type=="Ready")].lastTransitionTime}')
	local row
	row="| $n | $load | $(since "$t0" "$api") | $(since "$t0" "$node") | $(since "$t0" "$dns") |"
	row+=" $(nanos_since "$t0" "$started") | $(nanos_since "$t0" "$resolved") |"
	results+=("$row")
	log "run $n: $row"
	hack/hosts/down.sh "$run" >/dev/null
	run=
}

log "building"
hack/build-bundle.sh >&2
lightnode=$(LIGHTNODE_TAGS=bundle hack/build-lightnode.sh)
hack/hosts/build-image.sh >&2
CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w" -o "$work/dnslookup" \
	./test/images/dnslookup
go run ./node-binary/images/packimage -ref "$lookup_ref" -entrypoint /dnslookup \
	-file "/dnslookup=$work/dnslookup" -o "$work/dnslookup.tar"

results=()
for n in $(seq 1 "$runs"); do
	bench_once "$n"
done

section=$(
	cat <<MD
<!-- bench:dns -->
## From server start to a pod resolving a Service name

Measured by \`hack/bench/dns.sh\` on $(nproc) CPUs, $(uname -r), $(date -u +%Y-%m-%d);
lightnode $("$lightnode" version). One test host (a container, see \`hack/hosts/\`) per
run, with a fresh data directory; \`lightnode server\` runs with its defaults (SQLite, the
agent, CoreDNS from its bundle, no registry). Times are seconds from the start of the
service: the API server ready (its log), the Node Ready and the CoreDNS pod Ready (their
conditions, to the second), then a pod of a Deployment that was in the manifests
directory before the start: its program running, and its first answer for
\`kubernetes.default.svc.cluster.local\` (it asks every 100 ms, waiting at most 1 s each).
Load is the machine's one-minute load average at the start; other work on the machine
slows every step.

| run | load | API ready | Node Ready | CoreDNS Ready | pod running | pod resolves a Service |
|---|---|---|---|---|---|---|
$(printf '%s\n' "${results[@]}")
<!-- /bench:dns -->
MD
)

write_section dns "$section" "$out_doc"
log "wrote $out_doc"
printf '%s\n' "${results[@]}"
