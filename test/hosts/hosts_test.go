package hosts

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const validInventory = `{"run": "r-1", "network": "r-1", "subnet": "172.30.0.0/16",
 "image": "lightcluster/testhost:abc", "privileged": false, "keyPath": "KEY",
 "hosts": [{"name": "r-1-1", "containerId": "c1", "ip": "172.30.0.11", "sshPort": 22,
  "machineId": "m1", "hostPublicKey": "ssh-ed25519 AAAA", "keyPath": "KEY",
  "users": [{"name": "root", "sudo": "none"},
   {"name": "lcpass", "sudo": "password", "passwordFile": "PW"}]}]}`

func TestParseInventory(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		wantErr string
	}{
		{name: "valid", data: validInventory},
		{name: "not json", data: "{", wantErr: "decode inventory"},
		{name: "no hosts", data: `{"run": "r", "hosts": []}`, wantErr: "no run or no hosts"},
		{
			name:    "host without address",
			data:    `{"run": "r", "hosts": [{"name": "h", "sshPort": 22, "keyPath": "k"}]}`,
			wantErr: "lacks name, IP",
		},
		{
			name: "host without ed25519 key",
			data: `{"run": "r", "hosts": [{"name": "h", "ip": "1.2.3.4", "sshPort": 22,
				"keyPath": "k", "hostPublicKey": "ssh-rsa AAAA"}]}`,
			wantErr: "no ed25519 host key",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseInventory([]byte(tt.data))
			if tt.wantErr == "" && err != nil {
				t.Fatalf("parseInventory: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("parseInventory error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestInventoryHostsReadsKeyAndPassword(t *testing.T) {
	dir := t.TempDir()
	key, pw := filepath.Join(dir, "id_ed25519"), filepath.Join(dir, "pw")
	writeFile(t, key, "PRIVATE")
	writeFile(t, pw, "s3cret\n")
	data := strings.NewReplacer(`"KEY"`, quote(key), `"PW"`, quote(pw)).Replace(validInventory)

	inv, err := parseInventory([]byte(data))
	if err != nil {
		t.Fatalf("parseInventory: %v", err)
	}
	hosts, err := inv.hosts()
	if err != nil {
		t.Fatalf("hosts: %v", err)
	}
	if len(hosts) != 1 || string(hosts[0].PrivateKey) != "PRIVATE" {
		t.Fatalf("hosts = %+v, want one host with the key file's content", hosts)
	}
	u, ok := hosts[0].User("lcpass")
	if !ok || u.Password != "s3cret" || u.Sudo != SudoPassword {
		t.Fatalf("lcpass = %+v (found %v), want sudo by password s3cret", u, ok)
	}
	if _, ok := hosts[0].User("nobody"); ok {
		t.Fatalf("User(nobody) found an account that the inventory does not list")
	}
}

func TestPrefixFor(t *testing.T) {
	tests := []struct{ test, want string }{
		{"TestJoin", "testjoin"},
		{"TestJoin/two_agents", "testjoin-two-agents"},
		{"TestAVeryLongTestNameIndeed/sub", "testaverylongtestnam"},
		{"Test_/_", "test"},
		{"///", "lc"},
	}
	for _, tt := range tests {
		t.Run(tt.test, func(t *testing.T) {
			got := prefixFor(tt.test)
			if got != tt.want {
				t.Fatalf("prefixFor(%q) = %q, want %q", tt.test, got, tt.want)
			}
			if !prefixPattern.MatchString(got) {
				t.Fatalf("prefixFor(%q) = %q, which Validate rejects", tt.test, got)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr bool
	}{
		{name: "defaults and one host", cfg: Config{Count: 1}},
		{name: "no hosts", cfg: Config{Count: 0}, wantErr: true},
		{name: "too many hosts", cfg: Config{Count: maxHosts + 1}, wantErr: true},
		{name: "upper case prefix", cfg: Config{Count: 1, Prefix: "Lc"}, wantErr: true},
		{name: "negative timeout", cfg: Config{Count: 1, BootTimeout: -time.Second},
			wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.SetDefaults()
			if err := tt.cfg.Validate(); (err != nil) != tt.wantErr {
				t.Fatalf("Validate() = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestTail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"one\n", ": one"},
		{"1\n2\n3\n4\n5\n6\n7\n", ": 3; 4; 5; 6; 7"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tail(tt.in); got != tt.want {
				t.Fatalf("tail(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// fakeScripts writes an up.sh that writes inventory (or fails when inventory is empty)
// and a down.sh that counts its calls in a file, and returns the directory and that file.
func fakeScripts(t *testing.T, inventory string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	downs := filepath.Join(dir, "downs")
	up := "#!/bin/sh\necho starting >&2\nexit 3\n"
	if inventory != "" {
		writeFile(t, filepath.Join(dir, "inventory.json"), inventory)
		up = "#!/bin/sh\necho \"" + filepath.Join(dir, "inventory.json") + "\"\n"
	}
	writeScript(t, filepath.Join(dir, "up.sh"), up)
	writeScript(t, filepath.Join(dir, "down.sh"), "#!/bin/sh\necho \"$1\" >>"+downs+"\n")
	return dir, downs
}

func TestNewAndDown(t *testing.T) {
	keyDir := t.TempDir()
	key, pw := filepath.Join(keyDir, "key"), filepath.Join(keyDir, "pw")
	writeFile(t, key, "PRIVATE")
	writeFile(t, pw, "pw")
	inv := strings.NewReplacer(`"KEY"`, quote(key), `"PW"`, quote(pw)).Replace(validInventory)

	tests := []struct {
		name      string
		inventory string
		wantErr   bool
	}{
		{name: "started", inventory: inv},
		{name: "up fails", inventory: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scripts, downs := fakeScripts(t, tt.inventory)
			s, err := New(context.Background(), Config{Count: 1, ScriptsDir: scripts})
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "exit status 3: starting") {
					t.Fatalf("New error = %v, want up.sh's failure and its output", err)
				}
				assertDowns(t, downs, 1)
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if len(s.Hosts) != 1 || s.Hosts[0].IP != "172.30.0.11" || s.Subnet == "" {
				t.Fatalf("set = %+v, want the inventory's host and subnet", s)
			}
			if err := errors.Join(s.Down(), s.Down()); err != nil {
				t.Fatalf("Down: %v", err)
			}
			assertDowns(t, downs, 1)
		})
	}
}

func TestRunCommandCancelKillsChildren(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for range 100 {
			if _, err := os.Stat(pidFile); err == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		cancel()
	}()

	script := "sleep 600 & echo $! >" + pidFile + ".tmp && mv " + pidFile + ".tmp " + pidFile +
		" && wait"
	if _, err := runCommand(ctx, nil, nil, "sh", "-c", script); err == nil {
		t.Fatalf("runCommand of a cancelled command succeeded")
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the command did not start its child: %v", err)
	}
	pid := strings.TrimSpace(string(data))
	for range 100 {
		if !running(pid) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("child %s of a cancelled command still runs", pid)
}

// running reports whether process pid exists and is not a zombie.
func running(pid string) bool {
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat))
	return len(fields) > 2 && fields[2] != "Z"
}

func assertDowns(t *testing.T, file string, want int) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("down.sh was not run: %v", err)
	}
	if got := strings.Count(string(data), "\n"); got != want {
		t.Fatalf("down.sh ran %d times, want %d", got, want)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func writeScript(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o700); err != nil {
		t.Fatal(err)
	}
}

func quote(s string) string { return `"` + s + `"` }
