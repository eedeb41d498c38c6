package netfilter

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// minNFTVersion is the oldest nft that kube-proxy and flannel run with.
var minNFTVersion = [3]int{1, 0, 1}

// checkNFTVersion reads the output of nft --version, such as
// "nftables v1.0.6 (Lester Gooch #5)", and rejects a release older than
// minNFTVersion. Output it cannot read passes: the dry run that follows still tests nft.
func checkNFTVersion(out string) error {
	fields := strings.Fields(out)
	if len(fields) < 2 || fields[0] != "nftables" {
		return nil
	}
	got, ok := parseVersion(fields[1])
	if !ok {
		return nil
	}
	if slices.Compare(got[:], minNFTVersion[:]) < 0 {
		return fmt.Errorf("nft %s is too old, want v%d.%d.%d or later", fields[1],
			minNFTVersion[0], minNFTVersion[1], minNFTVersion[2])
	}
	return nil
}

// parseVersion parses v1.2.3 or 1.2 into its three numbers; a missing one is zero.
func parseVersion(s string) ([3]int, bool) {
	var v [3]int
	parts := strings.Split(strings.TrimPrefix(s, "v"), ".")
	if len(parts) > len(v) {
		return v, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, false
		}
		v[i] = n
	}
	return v, true
}
