package hosts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	// defaultBootTimeout bounds how long hosts may take to boot and answer SSH.
	defaultBootTimeout = 2 * time.Minute
	// upSlack covers what up.sh does besides waiting for the boot, such as an image build.
	upSlack = 20 * time.Minute
	// downTimeout bounds the removal of a run, which runs even after ctx is cancelled.
	downTimeout = 3 * time.Minute
	// maxHosts is the most hosts one run may start.
	maxHosts = 50
)

// prefixPattern is what a run name prefix may look like: a lowercase DNS label start.
var prefixPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,18}[a-z0-9])?$`)

// Config says which hosts to start.
type Config struct {
	// Prefix starts the run name (Prefix-<random>) and so every host name; default "lc".
	Prefix string
	// Count is how many hosts to start, 1 to 50.
	Count int
	// ScriptsDir holds up.sh and its siblings; default: $LC_HOSTS_SCRIPTS, else hack/hosts
	// of the module around the working directory.
	ScriptsDir string
	// Image is the host image to start; default: the one build-image.sh builds or finds.
	Image string
	// BootTimeout bounds how long the hosts may take to boot; default two minutes.
	BootTimeout time.Duration
	// Password is lcpass's password; default: random for each run.
	Password string
	// Log receives the scripts' progress messages; default: discarded.
	Log io.Writer
}

// SetDefaults fills the fields left empty.
func (c *Config) SetDefaults() {
	if c.Prefix == "" {
		c.Prefix = "lc"
	}
	if c.BootTimeout == 0 {
		c.BootTimeout = defaultBootTimeout
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
}

// Validate reports a configuration that cannot start hosts.
func (c *Config) Validate() error {
	if c.Count < 1 || c.Count > maxHosts {
		return fmt.Errorf("count %d is not between 1 and %d", c.Count, maxHosts)
	}
	if !prefixPattern.MatchString(c.Prefix) {
		return fmt.Errorf("prefix %q is not a lowercase name of at most 20 characters", c.Prefix)
	}
	if c.BootTimeout < 0 {
		return fmt.Errorf("boot timeout %s is negative", c.BootTimeout)
	}
	return nil
}

// Set is one run of hosts on one network.
type Set struct {
	// Run names the run: the network, the host name prefix and the state directory.
	Run string
	// Dir is the run's state directory (key pair, password file, inventory).
	Dir string
	// Network is the Docker network the hosts share.
	Network string
	// Subnet is the network's address range.
	Subnet string
	// Image is the image the hosts run.
	Image string
	// Privileged reports whether the hosts run with --privileged rather than its parts.
	Privileged bool
	// KeyPath is the run's private key, accepted by every user of every host.
	KeyPath string
	// Hosts are the machines, in the order of their numbers.
	Hosts []Host

	scripts  string
	downOnce sync.Once
	downErr  error
}

// Up starts n hosts for a test and removes them when the test and its subtests finish.
// Script output goes to the test log.
func Up(ctx context.Context, tb testing.TB, n int) (*Set, error) {
	tb.Helper()
	cfg := Config{Count: n, Prefix: prefixFor(tb.Name()), Log: tb.Output()}
	s, err := New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	tb.Cleanup(func() {
		if err := s.Down(); err != nil {
			tb.Errorf("remove test hosts: %v", err)
		}
	})
	return s, nil
}

// New starts the hosts cfg asks for. The caller must call Down, also when the hosts are
// no longer reachable; a failed New removes what it started itself.
func New(ctx context.Context, cfg Config) (*Set, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("start test hosts: %w", err)
	}
	scripts, err := scriptsDir(cfg.ScriptsDir)
	if err != nil {
		return nil, fmt.Errorf("start test hosts: %w", err)
	}
	run, err := runName(cfg.Prefix)
	if err != nil {
		return nil, fmt.Errorf("start test hosts: %w", err)
	}

	s := &Set{Run: run, scripts: scripts}
	if err := s.up(ctx, cfg); err != nil {
		if derr := s.Down(); derr != nil {
			err = errors.Join(err, derr)
		}
		return nil, fmt.Errorf("start test hosts %s: %w", run, err)
	}
	return s, nil
}

// Load returns the set whose inventory.json is at path, started earlier by New (or by
// up.sh), so that another process can use or remove it.
func Load(path, scriptsDirectory string) (*Set, error) {
	scripts, err := scriptsDir(scriptsDirectory)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	inv, err := parseInventory(data)
	if err != nil {
		return nil, err
	}
	s := &Set{Run: inv.Run, scripts: scripts}
	if err := s.load(path); err != nil {
		return nil, err
	}
	return s, nil
}

// InventoryPath is where the set's inventory.json is.
func (s *Set) InventoryPath() string { return filepath.Join(s.Dir, "inventory.json") }

// up runs up.sh and loads the inventory it writes.
func (s *Set) up(ctx context.Context, cfg Config) error {
	args := []string{filepath.Join(s.scripts, "up.sh"), "--run", s.Run,
		"--timeout", strconv.Itoa(int(cfg.BootTimeout.Seconds()))}
	if cfg.Image != "" {
		args = append(args, "--image", cfg.Image)
	}
	args = append(args, cfg.Prefix, strconv.Itoa(cfg.Count))

	ctx, cancel := context.WithTimeout(ctx, cfg.BootTimeout+upSlack)
	defer cancel()
	env := scriptEnv(cfg.Password)
	out, err := runCommand(ctx, cfg.Log, nil, "env", append(env, args...)...)
	if err != nil {
		return err
	}
	return s.load(strings.TrimSpace(lastLine(out)))
}

// load fills the set from the inventory file at path.
func (s *Set) load(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read inventory: %w", err)
	}
	inv, err := parseInventory(data)
	if err != nil {
		return err
	}
	hosts, err := inv.hosts()
	if err != nil {
		return err
	}
	s.Dir, s.Network, s.Subnet = filepath.Dir(path), inv.Network, inv.Subnet
	s.Image, s.Privileged, s.KeyPath, s.Hosts = inv.Image, inv.Privileged, inv.KeyPath, hosts
	return nil
}

// Down removes the hosts with their volumes, the network and the state directory. It
// runs once; later calls return the first result.
func (s *Set) Down() error {
	s.downOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), downTimeout)
		defer cancel()
		_, err := runCommand(ctx, io.Discard, nil, filepath.Join(s.scripts, "down.sh"), s.Run)
		if err != nil {
			s.downErr = fmt.Errorf("remove run %s: %w", s.Run, err)
		}
	})
	return s.downErr
}

// scriptEnv passes lcpass's password to up.sh in its environment, never in its arguments.
func scriptEnv(password string) []string {
	if password == "" {
		return nil
	}
	return []string{"LC_HOSTS_LCPASS_PASSWORD=" + password}
}

// runName makes a run name unique on this machine from prefix.
func runName(prefix string) (string, error) {
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make run name: %w", err)
	}
	return prefix + "-" + hex.EncodeToString(b), nil
}

// prefixFor derives a run name prefix from a test name ("TestJoin/agents" gives
// "testjoin-agents"), so that leftover containers say which test made them.
func prefixFor(testName string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(testName) {
		if b.Len() == 20 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	p := strings.TrimRight(b.String(), "-")
	if p == "" {
		return "lc"
	}
	return p
}

// scriptsDir finds the directory holding up.sh.
func scriptsDir(dir string) (string, error) {
	if dir == "" {
		dir = os.Getenv("LC_HOSTS_SCRIPTS")
	}
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(root, "hack", "hosts")
	}
	if _, err := os.Stat(filepath.Join(dir, "up.sh")); err != nil {
		return "", fmt.Errorf("find host scripts: %w", err)
	}
	return dir, nil
}

// moduleRoot walks up from the working directory to the directory holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("find module root: no go.mod above the working directory")
		}
		dir = parent
	}
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
