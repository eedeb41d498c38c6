// Command dnslookup resolves names inside a pod the way the pod's programs do: with
// Go's own resolver, which reads the pod's /etc/resolv.conf (its nameserver, search
// domains and ndots). For each name it prints the name and its addresses, sorted; a
// name that does not resolve makes it exit with status 1.
//
//	dnslookup kubernetes.default.svc.cluster.local echo
//	dnslookup -resolv-conf          # prints /etc/resolv.conf
//	dnslookup -wait 10m NAME...     # prints "started UNIX_NANOSECONDS", retries until
//	                                # every name resolves, prints "resolved UNIX_NANO-
//	                                # SECONDS" and sleeps
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strings"
	"time"
)

// Bounds of one question: a single lookup waits at most lookupTimeout, a lookup under
// -wait at most waitTimeout, so that an answer lost before the cluster DNS is reachable
// (the resolver's own timeout is 5 s) delays the first success by little.
const (
	lookupTimeout = 5 * time.Second
	waitTimeout   = time.Second
	retryEvery    = 100 * time.Millisecond
)

func main() {
	resolvConf := flag.Bool("resolv-conf", false, "print /etc/resolv.conf and exit")
	wait := flag.Duration("wait", 0, "retry until every name resolves, at most this long")
	flag.Parse()

	if *resolvConf {
		data, err := os.ReadFile("/etc/resolv.conf")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Stdout.Write(data)
		return
	}
	if *wait > 0 {
		waitResolved(flag.Args(), *wait)
		return
	}
	if !lookupAll(flag.Args(), lookupTimeout, os.Stdout) {
		os.Exit(1)
	}
}

// lookupAll resolves every name, printing one line each, and reports whether all did.
func lookupAll(names []string, timeout time.Duration, out io.Writer) bool {
	ok := true
	for _, name := range names {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		addrs, err := net.DefaultResolver.LookupHost(ctx, name)
		cancel()
		if err != nil {
			fmt.Fprintf(out, "%s error %v\n", name, err)
			ok = false
			continue
		}
		sort.Strings(addrs)
		fmt.Fprintf(out, "%s %s\n", name, strings.Join(addrs, " "))
	}
	return ok
}

// waitResolved retries until every name resolves or limit passes, prints the time it
// succeeded, and then sleeps so that the pod stays running for whoever reads its log.
func waitResolved(names []string, limit time.Duration) {
	fmt.Printf("started %d\n", time.Now().UnixNano())
	deadline := time.Now().Add(limit)
	for !lookupAll(names, waitTimeout, io.Discard) {
		if time.Now().After(deadline) {
			fmt.Printf("unresolved after %s\n", limit)
			lookupAll(names, lookupTimeout, os.Stdout)
			os.Exit(1)
		}
		time.Sleep(retryEvery)
	}
	fmt.Printf("resolved %d\n", time.Now().UnixNano())
	lookupAll(names, lookupTimeout, os.Stdout)
	select {}
}
