package pki

import (
	"crypto/sha256"
	"encoding/hex"
)

// CABundleHash returns the lowercase hex SHA-256 of a CA bundle exactly as served, which
// join tokens carry to pin the cluster's CA.
func CABundleHash(bundlePEM []byte) string {
	sum := sha256.Sum256(bundlePEM)
	return hex.EncodeToString(sum[:])
}
