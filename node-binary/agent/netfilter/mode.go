package netfilter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The modes Choose takes.
const (
	// ModeAuto picks iptables when it works on the host, and nftables otherwise.
	ModeAuto = "auto"
	// ModeIPTables programs rules with iptables.
	ModeIPTables = "iptables"
	// ModeNFTables programs rules with nft.
	ModeNFTables = "nftables"
)

// probeTimeout bounds all the probes of one Choose; iptables may wait for its lock.
const probeTimeout = 30 * time.Second

// ErrUnknownMode reports a mode that is none of the Mode constants.
var ErrUnknownMode = errors.New("unknown packet filter mode")

// Choice is the front end Choose settled on.
type Choice struct {
	// Mode is ModeIPTables or ModeNFTables.
	Mode string
	// Reason says why, in words fit for a log line.
	Reason string
}

// Choose returns the front end to use for the requested mode, one of the Mode
// constants; empty means ModeAuto. ModeAuto takes iptables when it works on h, and
// nftables when only that works; an explicit mode must work. The error says what is
// missing.
func Choose(ctx context.Context, requested string, h Host) (Choice, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()

	switch requested {
	case ModeIPTables, ModeNFTables:
		if err := probe(ctx, requested, h); err != nil {
			return Choice{}, fmt.Errorf("%s does not work on this host: %w; install the %s "+
				"package", requested, err, requested)
		}
		return Choice{Mode: requested, Reason: "requested"}, nil
	case ModeAuto, "":
		return chooseAuto(ctx, h)
	}
	return Choice{}, fmt.Errorf("%w %q, want %s, %s or %s", ErrUnknownMode, requested,
		ModeAuto, ModeIPTables, ModeNFTables)
}

// chooseAuto prefers iptables and falls back to nftables.
func chooseAuto(ctx context.Context, h Host) (Choice, error) {
	iptErr := CheckIPTables(ctx, h)
	if iptErr == nil {
		return Choice{Mode: ModeIPTables, Reason: "iptables works"}, nil
	}
	nftErr := CheckNFTables(ctx, h)
	if nftErr == nil {
		return Choice{Mode: ModeNFTables,
			Reason: "iptables does not work (" + iptErr.Error() + "), nftables does"}, nil
	}
	return Choice{}, fmt.Errorf("neither iptables nor nftables works on this host "+
		"(%w; %w); install the iptables or the nftables package", iptErr, nftErr)
}

// probe checks the front end of an explicit mode.
func probe(ctx context.Context, mode string, h Host) error {
	if mode == ModeIPTables {
		return CheckIPTables(ctx, h)
	}
	return CheckNFTables(ctx, h)
}

// CheckIPTables reports whether iptables works on h: the program is installed and
// lists the nat table, which needs the kernel's support for its backend.
func CheckIPTables(ctx context.Context, h Host) error {
	path, err := h.LookPath("iptables")
	if err != nil {
		return fmt.Errorf("iptables: %w", err)
	}
	args := []string{"-w", "5", "-t", "nat", "-S", "POSTROUTING"}
	if out, err := h.Output(ctx, path, args...); err != nil {
		return fmt.Errorf("%s %s: %w%s", path, strings.Join(args, " "), err, detail(out))
	}
	return nil
}

// CheckNFTables reports whether nft works on h: the program is installed, new enough
// for kube-proxy and flannel, and the kernel accepts a table in a dry run.
func CheckNFTables(ctx context.Context, h Host) error {
	path, err := h.LookPath("nft")
	if err != nil {
		return fmt.Errorf("nft: %w", err)
	}
	out, err := h.Output(ctx, path, "--version")
	if err != nil {
		return fmt.Errorf("%s --version: %w%s", path, err, detail(out))
	}
	if err := checkNFTVersion(string(out)); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}

	args := []string{"--check", "add", "table", "ip", probeTable}
	if out, err := h.Output(ctx, path, args...); err != nil {
		return fmt.Errorf("%s %s: %w%s", path, strings.Join(args, " "), err, detail(out))
	}
	return nil
}

// probeTable names the table whose creation CheckNFTables dry-runs; it is never made.
const probeTable = "lightnode-probe"

// detail returns the first line of a program's output, set off for an error message.
func detail(out []byte) string {
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if line == "" {
		return ""
	}
	return ": " + line
}
