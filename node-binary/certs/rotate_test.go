package certs

import (
	"bytes"
	"crypto/x509"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lightcluster/lightcluster/internal/pki"
)

// issuedDir returns a TLS directory with a CA set and every leaf of testSpec.
func issuedDir(t *testing.T) (string, *pki.CASet) {
	t.Helper()
	dir := t.TempDir()
	cas, _, err := pki.EnsureCASet(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Ensure(dir, cas, testSpec(), nil); err != nil {
		t.Fatal(err)
	}
	return dir, cas
}

// snapshot returns the content of every file under dir by relative path.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)], err = os.ReadFile(path)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func serial(t *testing.T, path string) string {
	t.Helper()
	certs, err := pki.ParseCertPEM(readFile(t, path))
	if err != nil {
		t.Fatal(err)
	}
	return certs[0].SerialNumber.String()
}

func TestRotateMovesEveryLeafAndKeepsTheCAs(t *testing.T) {
	dir, cas := issuedDir(t)
	before := snapshot(t, dir)
	oldSerial := serial(t, filepath.Join(dir, APIServerCertFile))
	at := time.Date(2031, 5, 6, 7, 8, 9, 0, time.FixedZone("CEST", 2*3600))

	rot, err := Rotate(dir, nil, fixedClock(at))
	if err != nil {
		t.Fatal(err)
	}

	if want := filepath.Join(dir, "rotated-20310506T050809Z"); rot.BackupDir != want {
		t.Errorf("backup dir %s, want %s", rot.BackupDir, want)
	}
	if want := 2 * len(leaves(Spec{})); len(rot.Moved) != want {
		t.Errorf("moved %d files %v, want %d", len(rot.Moved), rot.Moved, want)
	}
	after := snapshot(t, dir)
	for _, name := range pki.CASetFileNames() {
		if !bytes.Equal(after[name], before[name]) {
			t.Errorf("%s changed or vanished", name)
		}
	}
	backupRel, _ := filepath.Rel(dir, rot.BackupDir)
	for _, name := range rot.Moved {
		if _, ok := after[name]; ok {
			t.Errorf("%s is still in the TLS directory", name)
		}
		if !bytes.Equal(after[backupRel+"/"+name], before[name]) {
			t.Errorf("%s is not in the backup as it was", name)
		}
	}

	list, err := Check(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range list {
		if strings.HasPrefix(st.Path, BackupPrefix) {
			t.Errorf("check lists the backup %s", st.Path)
		}
	}

	issued, err := Ensure(dir, cas, testSpec(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(issued) != len(leaves(Spec{})) {
		t.Errorf("next start issued %v, want every leaf", issued)
	}
	if serial(t, filepath.Join(dir, APIServerCertFile)) == oldSerial {
		t.Error("the serving certificate kept its serial")
	}
	verifyServing(t, dir, cas)
}

func verifyServing(t *testing.T, dir string, cas *pki.CASet) {
	t.Helper()
	certs, err := pki.ParseCertPEM(readFile(t, filepath.Join(dir, APIServerCertFile)))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cas.ServerCA.Certificate())
	if _, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, DNSName: "kubernetes"}); err != nil {
		t.Errorf("new serving certificate does not verify against the server CA: %v", err)
	}
}

func TestRotateServices(t *testing.T) {
	tests := []struct {
		services []string
		want     []string
	}{
		{services: []string{ServiceAdmin}, want: []string{AdminCertFile, AdminKeyFile}},
		{services: []string{ServiceAPIServer}, want: []string{APIServerCertFile,
			APIServerKeyFile, KubeletClientCertFile, KubeletClientKeyFile}},
		{services: []string{ServiceEtcd, ServiceScheduler}, want: []string{
			SchedulerCertFile, SchedulerKeyFile, EtcdServerCertFile, EtcdServerKeyFile,
			EtcdPeerCertFile, EtcdPeerKeyFile, EtcdClientCertFile, EtcdClientKeyFile}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.services, ","), func(t *testing.T) {
			dir, _ := issuedDir(t)
			before := snapshot(t, dir)

			rot, err := Rotate(dir, tt.services, nil)
			if err != nil {
				t.Fatal(err)
			}

			if !slices.Equal(rot.Moved, tt.want) {
				t.Errorf("moved %v, want %v", rot.Moved, tt.want)
			}
			after := snapshot(t, dir)
			for name := range before {
				_, kept := after[name]
				if kept == slices.Contains(tt.want, name) {
					t.Errorf("%s: kept %v, want kept %v", name, kept, !kept)
				}
			}
		})
	}
}

func TestEveryServiceHoldsLeavesAndEveryLeafAService(t *testing.T) {
	held := map[string]bool{}
	for _, l := range leaves(Spec{}) {
		if !slices.Contains(Services(), l.service) {
			t.Errorf("%s belongs to %q, which Services lacks", l.cert, l.service)
		}
		held[l.service] = true
	}
	for _, s := range Services() {
		if !held[s] {
			t.Errorf("service %s holds no certificate", s)
		}
	}
}

func TestRotateRefusals(t *testing.T) {
	t.Run("unknown service", func(t *testing.T) {
		dir, _ := issuedDir(t)
		before := snapshot(t, dir)
		_, err := Rotate(dir, []string{ServiceAdmin, "kubelet"}, nil)
		if !errors.Is(err, ErrUnknownService) || !strings.Contains(err.Error(), `"kubelet"`) {
			t.Fatalf("error %v, want ErrUnknownService naming kubelet", err)
		}
		if len(snapshot(t, dir)) != len(before) {
			t.Error("files moved despite the error")
		}
	})

	t.Run("missing directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "tls")
		_, err := Rotate(dir, nil, nil)
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), dir) {
			t.Fatalf("error %v, want one naming %s", err, dir)
		}
	})

	t.Run("backup directory exists", func(t *testing.T) {
		dir, _ := issuedDir(t)
		clock := fixedClock(time.Now())
		if _, err := Rotate(dir, []string{ServiceAdmin}, clock); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, dir)
		_, err := Rotate(dir, nil, clock)
		if !errors.Is(err, fs.ErrExist) {
			t.Fatalf("error %v, want ErrExist", err)
		}
		if len(snapshot(t, dir)) != len(before) {
			t.Error("files moved despite the error")
		}
	})
}

func TestRotateNothingLeft(t *testing.T) {
	dir, _ := issuedDir(t)
	if _, err := Rotate(dir, nil, fixedClock(time.Now())); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)

	rot, err := Rotate(dir, nil, fixedClock(time.Now().Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if rot.BackupDir != "" || len(rot.Moved) != 0 {
		t.Errorf("got %+v, want nothing moved", rot)
	}
	if after, _ := os.ReadDir(dir); len(after) != len(entries) {
		t.Errorf("directory has %d entries, want %d: an empty backup was made", len(after),
			len(entries))
	}
}

func TestRotateHalfPair(t *testing.T) {
	dir, _ := issuedDir(t)
	if err := os.Remove(filepath.Join(dir, AdminKeyFile)); err != nil {
		t.Fatal(err)
	}
	rot, err := Rotate(dir, []string{ServiceAdmin}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rot.Moved, []string{AdminCertFile}) {
		t.Errorf("moved %v, want only %s", rot.Moved, AdminCertFile)
	}
}
