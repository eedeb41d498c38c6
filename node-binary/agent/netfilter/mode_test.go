package netfilter

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// fakeHost answers LookPath from the programs it has and Output from canned results;
// a command without one succeeds with no output.
type fakeHost struct {
	programs map[string]bool
	results  map[string]result
	ran      []string
}

type result struct {
	out string
	err error
}

func (h *fakeHost) LookPath(file string) (string, error) {
	if !h.programs[file] {
		return "", &exec.Error{Name: file, Err: exec.ErrNotFound}
	}
	return "/usr/sbin/" + file, nil
}

func (h *fakeHost) Output(_ context.Context, path string, args ...string) ([]byte, error) {
	line := strings.Join(append([]string{path}, args...), " ")
	h.ran = append(h.ran, line)
	r := h.results[line]
	return []byte(r.out), r.err
}

// Commands of the probes as the fake host sees them.
const (
	iptablesList = "/usr/sbin/iptables -w 5 -t nat -S POSTROUTING"
	nftVersion   = "/usr/sbin/nft --version"
	nftDryRun    = "/usr/sbin/nft --check add table ip lightnode-probe"
)

var errExit = errors.New("exit status 1")

// hosts the tests run on, by what works on them.
func bothWork() *fakeHost {
	return &fakeHost{programs: map[string]bool{"iptables": true, "nft": true},
		results: map[string]result{nftVersion: {out: "nftables v1.0.6 (Lester Gooch #5)\n"}}}
}

func onlyNFTables() *fakeHost {
	h := bothWork()
	delete(h.programs, "iptables")
	return h
}

func iptablesWithoutKernel() *fakeHost {
	h := bothWork()
	h.results[iptablesList] = result{err: errExit, out: "iptables v1.8.9 (legacy): can't " +
		"initialize iptables table `nat': Table does not exist (do you need to insmod?)\n" +
		"Perhaps iptables or your kernel needs to be upgraded.\n"}
	return h
}

func neitherWorks() *fakeHost {
	h := iptablesWithoutKernel()
	delete(h.programs, "nft")
	return h
}

func TestChoose(t *testing.T) {
	tests := []struct {
		name      string
		requested string
		host      *fakeHost
		want      string
		wantErr   []string
		wantRan   []string
	}{
		{name: "auto takes iptables when it works", requested: ModeAuto, host: bothWork(),
			want: ModeIPTables, wantRan: []string{iptablesList}},
		{name: "empty means auto", host: bothWork(), want: ModeIPTables},
		{name: "auto without the iptables program", requested: ModeAuto,
			host: onlyNFTables(), want: ModeNFTables,
			wantRan: []string{nftVersion, nftDryRun}},
		{name: "auto when the kernel refuses iptables", requested: ModeAuto,
			host: iptablesWithoutKernel(), want: ModeNFTables},
		{name: "auto with neither", requested: ModeAuto, host: neitherWorks(),
			wantErr: []string{"neither iptables nor nftables", "Table does not exist",
				`"nft": executable file not found`, "install the iptables or the nftables"}},
		{name: "nftables requested where both work", requested: ModeNFTables,
			host: bothWork(), want: ModeNFTables, wantRan: []string{nftVersion, nftDryRun}},
		{name: "iptables requested where only nftables works", requested: ModeIPTables,
			host: onlyNFTables(), wantErr: []string{"iptables does not work on this host",
				`"iptables": executable file not found`}},
		{name: "nftables requested without nft", requested: ModeNFTables,
			host: neitherWorks(), wantErr: []string{"nftables does not work on this host",
				"install the nftables package"}},
		{name: "unknown mode", requested: "ipvs", host: bothWork(),
			wantErr: []string{`"ipvs"`, "auto, iptables or nftables"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Choose(context.Background(), tt.requested, tt.host)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("Choose() = %+v, want an error", got)
				}
				for _, part := range tt.wantErr {
					if !strings.Contains(err.Error(), part) {
						t.Errorf("error %q lacks %q", err, part)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Choose() error = %v", err)
			}
			if got.Mode != tt.want || got.Reason == "" {
				t.Errorf("Choose() = %+v, want mode %s with a reason", got, tt.want)
			}
			if tt.wantRan != nil && !slices.Equal(tt.host.ran, tt.wantRan) {
				t.Errorf("ran %q, want %q", tt.host.ran, tt.wantRan)
			}
		})
	}
}

func TestChooseUnknownModeIsClassified(t *testing.T) {
	_, err := Choose(context.Background(), "userspace", bothWork())
	if !errors.Is(err, ErrUnknownMode) {
		t.Errorf("Choose() error = %v, want ErrUnknownMode", err)
	}
}

func TestChooseAutoSaysWhyItSkipsIPTables(t *testing.T) {
	got, err := Choose(context.Background(), ModeAuto, iptablesWithoutKernel())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Reason, "Table does not exist") {
		t.Errorf("reason %q does not say why iptables was skipped", got.Reason)
	}
}

func TestCheckNFTables(t *testing.T) {
	tests := []struct {
		name    string
		version result
		dryRun  result
		wantErr string
	}{
		{name: "current", version: result{out: "nftables v1.0.6 (Lester Gooch #5)"}},
		{name: "newer minor", version: result{out: "nftables v1.1.1 (Commodore Bullmoose #2)"}},
		{name: "oldest that works", version: result{out: "nftables v1.0.1 (Fearless Fosdick)"}},
		{name: "unreadable version passes to the dry run",
			version: result{out: "something else"}},
		{name: "v1.0.0 is too old", version: result{out: "nftables v1.0.0 (Fearless Fosdick)"},
			wantErr: "v1.0.0 is too old"},
		{name: "v0.9 is too old", version: result{out: "nftables v0.9.8 (E.D.S.)"},
			wantErr: "v0.9.8 is too old"},
		{name: "version fails", version: result{err: errExit, out: "segfault"},
			wantErr: "--version: exit status 1: segfault"},
		{name: "kernel lacks nf_tables", version: result{out: "nftables v1.0.6"},
			dryRun: result{err: errExit, out: "Error: Could not process rule: " +
				"Operation not supported\nadd table ip lightnode-probe\n"},
			wantErr: "--check add table ip lightnode-probe: exit status 1: Error: Could " +
				"not process rule: Operation not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &fakeHost{programs: map[string]bool{"nft": true},
				results: map[string]result{nftVersion: tt.version, nftDryRun: tt.dryRun}}
			err := CheckNFTables(context.Background(), h)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckNFTables() error = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("CheckNFTables() error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in   string
		want [3]int
		ok   bool
	}{
		{"v1.0.6", [3]int{1, 0, 6}, true},
		{"1.1", [3]int{1, 1, 0}, true},
		{"v1.0.6.1", [3]int{}, false},
		{"v1.x", [3]int{}, false},
		{"", [3]int{}, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			got, ok := parseVersion(tt.in)
			if ok != tt.ok || (ok && got != tt.want) {
				t.Errorf("parseVersion(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}
