//go:build envtest

package controllers

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
)

// benchTimeout bounds the wait for all nodes of one benchmark run.
const benchTimeout = 10 * time.Minute

// BenchmarkProvisionHosts provisions one server and hosts-1 agents on simulated
// machines whose Kubernetes Nodes are already Ready, and reports the time until
// every LightNode is Ready and the memory of the test process, which holds the
// operator, the API client and all simulated machines.
func BenchmarkProvisionHosts(b *testing.B) {
	for _, hosts := range []int{50, 200} {
		b.Run(fmt.Sprintf("hosts=%d", hosts), func(b *testing.B) {
			for range b.N {
				provisionHosts(b, hosts)
			}
		})
	}
}

// provisionHosts runs one cluster of hosts machines to Ready and reports metrics.
func provisionHosts(b *testing.B, hosts int) {
	ns := newNamespace(b)
	b.Cleanup(func() { deleteClusterAndWait(b, ns, "bench") })
	machines := make([]*machine, hosts)
	for i := range machines {
		machines[i] = newMachine(b, "")
	}
	nodes := make([]*lcv1.LightNode, hosts)
	for i, m := range machines {
		role, name := lcv1.RoleAgent, fmt.Sprintf("agent-%03d", i)
		if i == 0 {
			role, name = lcv1.RoleServer, "server"
		}
		nodes[i] = newNode(b, ns, "bench", name, role, m)
		markNodeReady(b, nodes[i].Spec.NodeName, fmt.Sprintf("10.1.%d.%d", i/250, i%250+1))
	}

	b.ResetTimer()
	start := time.Now()
	create(b, newCluster(ns, "bench", lcv1.DatastoreSQLite))
	for _, n := range nodes {
		create(b, n)
	}
	eventuallyWithin(b, benchTimeout, "all LightNodes Ready", func() error {
		var list lcv1.LightNodeList
		if err := suite.client.List(ctxFor(b), &list, client.InNamespace(ns)); err != nil {
			return err
		}
		ready := 0
		for i := range list.Items {
			if nodeIsReady(&list.Items[i]) {
				ready++
			}
		}
		if ready < hosts {
			return fmt.Errorf("%d of %d Ready", ready, hosts)
		}
		return nil
	})
	b.StopTimer()

	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	b.ReportMetric(time.Since(start).Seconds(), "s-to-all-ready")
	b.ReportMetric(float64(mem.HeapInuse)/(1<<20), "heap-MiB")
	if rss, err := residentMiB(); err == nil {
		b.ReportMetric(rss, "rss-MiB")
	}
}

// residentMiB returns the process's resident set size from /proc.
func residentMiB() (float64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if rest, ok := strings.CutPrefix(scanner.Text(), "VmRSS:"); ok {
			kib, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kib / 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/self/status")
}
