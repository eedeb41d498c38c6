package certs

import (
	"crypto/x509"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/lightcluster/lightcluster/internal/pki"
)

// Status describes one certificate found by Check.
type Status struct {
	// Path is the certificate file, relative to the directory checked.
	Path string
	// Subject is the certificate's common name.
	Subject string
	// IsCA reports whether the certificate is a certificate authority.
	IsCA bool
	// NotAfter is when the certificate expires.
	NotAfter time.Time
	// Renew reports whether lightnode server would renew it on its next start:
	// a leaf that expires within RenewBefore. CAs are never renewed.
	Renew bool
}

// Check reads every *.crt file under dir, except in the backups Rotate made, and
// returns its status at the time of clock, sorted by path. An unreadable or unparsable
// certificate is an error naming it.
func Check(dir string, clock pki.Clock) ([]Status, error) {
	now := time.Now
	if clock != nil {
		now = clock
	}
	var out []Status
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != dir && strings.HasPrefix(d.Name(), BackupPrefix) {
			return fs.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".crt") {
			return nil
		}
		st, err := checkFile(dir, path, now())
		if err != nil {
			return err
		}
		out = append(out, st)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("check certificates in %s: %w", dir, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func checkFile(dir, path string, now time.Time) (Status, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Status{}, err
	}
	certs, err := pki.ParseCertPEM(data)
	if err != nil {
		return Status{}, fmt.Errorf("%s: %w", path, err)
	}
	rel, _ := filepath.Rel(dir, path)
	return status(rel, certs[0], now), nil
}

func status(rel string, c *x509.Certificate, now time.Time) Status {
	return Status{
		Path:     filepath.ToSlash(rel),
		Subject:  c.Subject.CommonName,
		IsCA:     c.IsCA,
		NotAfter: c.NotAfter,
		Renew:    !c.IsCA && c.NotAfter.Sub(now) < RenewBefore,
	}
}
