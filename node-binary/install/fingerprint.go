package install

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"sort"
)

// stateFile records what the running service was started with.
func stateFile(role Role) string {
	return path.Join(configDir, "."+serviceName(role)+".started")
}

// fingerprint digests what the service runs with: the installed binary, its
// definition, and the config file with its drop-ins. Files changed behind install's
// back, such as a binary or config the operator uploaded, change it too.
func fingerprint(o Options, mgr serviceManager) (string, error) {
	files := []string{o.binaryPath(), mgr.unitPath(o.Role), o.ConfigFile}
	dropIns := o.ConfigFile + ".d"
	if entries, err := os.ReadDir(o.System.Path(dropIns)); err == nil {
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			names = append(names, path.Join(dropIns, e.Name()))
		}
		sort.Strings(names)
		files = append(files, names...)
	}

	h := sha256.New()
	for _, f := range files {
		digest, err := fileDigest(o.System.Path(f))
		if err != nil {
			return "", fmt.Errorf("digest %s: %w", f, err)
		}
		_, _ = fmt.Fprintf(h, "%s %x\n", f, digest)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// startedWith returns the fingerprint recorded when the service last started, or "".
func startedWith(o Options) string {
	data, err := readOptional(o.System, stateFile(o.Role))
	if err != nil {
		return ""
	}
	return string(data)
}

// recordStart records the fingerprint the service now runs with.
func recordStart(o Options, print string) error {
	_, err := writeIfChanged(o.System, stateFile(o.Role), []byte(print), 0o600)
	return err
}
