package install

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// cniInterfaces are the network interfaces the bridge plugin and flannel create.
var cniInterfaces = []string{
	"cni0", "flannel.1", "flannel-v6.1", "flannel-wg", "flannel-wg-v6",
}

// ownedChainPrefixes start the names of the iptables chains kube-proxy, flannel and
// the CNI plugins create.
var ownedChainPrefixes = []string{"KUBE-", "FLANNEL", "CNI-"}

// cleanedTables are the iptables tables whose rules uninstall filters.
var cleanedTables = map[string]bool{"filter": true, "nat": true, "mangle": true}

// ownedNftTables are the nftables tables of kube-proxy (ip and ip6 kube-proxy) and of
// flannel (ip flannel-ipv4, ip6 flannel-ipv6) in nftables mode, and of the portmap
// plugin where it finds no iptables (cni_hostport).
var ownedNftTables = []string{"kube-proxy", "flannel-ipv4", "flannel-ipv6", "cni_hostport"}

// deleteInterfaces deletes the CNI interfaces that exist.
func deleteInterfaces(ctx context.Context, o Options) error {
	var errs []error
	for _, name := range cniInterfaces {
		if !exists(o.System, "/sys/class/net/"+name) {
			continue
		}
		if err := run(ctx, o, "ip", "link", "delete", name); err != nil {
			errs = append(errs, err)
			continue
		}
		o.say("Deleted interface %s", name)
	}
	return errors.Join(errs...)
}

// cleanFirewall removes lightnode's iptables rules for IPv4 and IPv6 and its nftables
// tables. Tools the machine lacks are skipped.
func cleanFirewall(ctx context.Context, o Options) error {
	return errors.Join(
		cleanIptables(ctx, o, "iptables"),
		cleanIptables(ctx, o, "ip6tables"),
		cleanNftables(ctx, o),
	)
}

// cleanIptables saves the rules of tool, drops lightnode's, and restores the rest
// when anything was dropped.
func cleanIptables(ctx context.Context, o Options, tool string) error {
	dump, err := o.System.Run(ctx, Command{Name: tool + "-save"})
	if errors.Is(err, exec.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s-save: %w: %s", tool, err, firstLine(dump))
	}
	kept, dropped := filterRules(string(dump))
	if dropped == 0 {
		return nil
	}
	restore := Command{Name: tool + "-restore", Stdin: []byte(kept)}
	if out, err := o.System.Run(ctx, restore); err != nil {
		return fmt.Errorf("%s-restore: %w: %s", tool, err, firstLine(out))
	}
	o.say("Removed %d %s rules and chains", dropped, tool)
	return nil
}

// filterRules removes from an iptables-save dump, in the cleaned tables, the chains
// lightnode's components own, the rules in them, the rules that jump to them, and
// flannel's rules. It returns the rest and how many lines it dropped.
func filterRules(dump string) (string, int) {
	var b strings.Builder
	table, dropped := "", 0
	for line := range strings.Lines(dump) {
		text := strings.TrimSpace(line)
		if name, ok := strings.CutPrefix(text, "*"); ok {
			table = name
		}
		if cleanedTables[table] && ownedRule(text) {
			dropped++
			continue
		}
		b.WriteString(line)
	}
	return b.String(), dropped
}

// ownedRule reports whether one line of a dump declares an owned chain, appends to
// one, jumps to one, or is flannel's.
func ownedRule(line string) bool {
	if chain, ok := strings.CutPrefix(line, ":"); ok {
		return ownedChain(strings.Fields(chain + " ")[0])
	}
	fields := strings.Fields(line)
	if len(fields) < 2 || fields[0] != "-A" {
		return false
	}
	if ownedChain(fields[1]) || strings.Contains(strings.ToLower(line), "flannel") {
		return true
	}
	for i := 2; i+1 < len(fields); i++ {
		if (fields[i] == "-j" || fields[i] == "-g") && ownedChain(fields[i+1]) {
			return true
		}
	}
	return false
}

// ownedChain reports whether an iptables chain name is one lightnode's components own.
func ownedChain(name string) bool {
	for _, p := range ownedChainPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// cleanNftables deletes the owned nftables tables in every family they exist in.
func cleanNftables(ctx context.Context, o Options) error {
	out, err := o.System.Run(ctx, Command{Name: "nft", Args: []string{"list", "tables"}})
	if errors.Is(err, exec.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("nft list tables: %w: %s", err, firstLine(out))
	}
	var errs []error
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) != 3 || fields[0] != "table" || !isOwnedNftTable(fields[2]) {
			continue
		}
		if err := run(ctx, o, "nft", "delete", "table", fields[1], fields[2]); err != nil {
			errs = append(errs, err)
			continue
		}
		o.say("Deleted nftables table %s %s", fields[1], fields[2])
	}
	return errors.Join(errs...)
}

func isOwnedNftTable(name string) bool {
	for _, t := range ownedNftTables {
		if name == t {
			return true
		}
	}
	return false
}
