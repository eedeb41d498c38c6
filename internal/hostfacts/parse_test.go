package hostfacts

import (
	"errors"
	"slices"
	"testing"
)

const ubuntuOutput = `arch=x86_64
kernel=6.8.0-45-generic
hostname=node-1
cpus=4
init=systemd
meminfo=MemTotal:       16318712 kB
df=/dev/sda1 101430960 20123456 76123456 21% /
os-release:PRETTY_NAME="Ubuntu 24.04.1 LTS"
os-release:NAME="Ubuntu"
os-release:VERSION_ID="24.04"
os-release:ID=ubuntu
os-release:ID_LIKE=debian
`

const alpineOutput = `arch=aarch64
kernel=6.6.31-0-lts
hostname=edge
cpus=2
init=openrc
meminfo=MemTotal:        2030000 kB
df=overlay 8000000 1000000 7000000 13% /var/lib
os-release:NAME="Alpine Linux"
os-release:ID=alpine
os-release:VERSION_ID=3.20.3
os-release:PRETTY_NAME="Alpine Linux v3.20"
`

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		output  string
		want    Facts
		wantErr bool
	}{
		{name: "ubuntu on systemd", output: ubuntuOutput, want: Facts{
			OSID: "ubuntu", OSVersion: "24.04", OSName: "Ubuntu 24.04.1 LTS",
			Arch: "amd64", Kernel: "6.8.0-45-generic", Init: InitSystemd,
			Hostname: "node-1", CPUs: 4, MemoryBytes: 16318712 * 1024,
			DataDirFreeBytes: 76123456 * 1024,
		}},
		{name: "alpine on openrc", output: alpineOutput, want: Facts{
			OSID: "alpine", OSVersion: "3.20.3", OSName: "Alpine Linux v3.20",
			Arch: "arm64", Kernel: "6.6.31-0-lts", Init: InitOpenRC,
			Hostname: "edge", CPUs: 2, MemoryBytes: 2030000 * 1024,
			DataDirFreeBytes: 7000000 * 1024,
		}},
		{name: "minimal host without optional facts",
			output: "arch=riscv64\nkernel=6.1\ninit=unknown\ncpus=\nmeminfo=\ndf=\n",
			want:   Facts{Arch: "riscv64", Kernel: "6.1", Init: InitUnknown}},
		{name: "unexpected init value",
			output: "arch=x86_64\nkernel=6.1\ninit=runit\n",
			want:   Facts{Arch: "amd64", Kernel: "6.1", Init: InitUnknown}},
		{name: "missing arch", output: "kernel=6.1\ninit=systemd\n", wantErr: true},
		{name: "empty output", output: "", wantErr: true},
		{name: "bad cpus", output: "arch=x86_64\nkernel=6\ninit=systemd\ncpus=four\n",
			wantErr: true},
		{name: "bad meminfo",
			output:  "arch=x86_64\nkernel=6\ninit=systemd\nmeminfo=MemTotal: lots\n",
			wantErr: true},
		{name: "bad df", output: "arch=x86_64\nkernel=6\ninit=systemd\ndf=/dev/sda1 1 2\n",
			wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.output)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Parse() error = %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && got != tt.want {
				t.Errorf("Parse() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseOSReleaseLine(t *testing.T) {
	tests := []struct {
		line      string
		wantKey   string
		wantValue string
		wantOK    bool
	}{
		{line: "ID=debian", wantKey: "ID", wantValue: "debian", wantOK: true},
		{line: `NAME="Debian GNU/Linux"`, wantKey: "NAME", wantValue: "Debian GNU/Linux",
			wantOK: true},
		{line: "VERSION_ID='12'", wantKey: "VERSION_ID", wantValue: "12", wantOK: true},
		{line: `PRETTY_NAME="A \"quoted\" \$name"`, wantKey: "PRETTY_NAME",
			wantValue: `A "quoted" $name`, wantOK: true},
		{line: `EMPTY=""`, wantKey: "EMPTY", wantValue: "", wantOK: true},
		{line: "# comment"},
		{line: "   "},
		{line: "no assignment"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			key, value, ok := parseOSReleaseLine(tt.line)
			if key != tt.wantKey || value != tt.wantValue || ok != tt.wantOK {
				t.Errorf("parseOSReleaseLine(%q) = %q, %q, %v; want %q, %q, %v", tt.line,
					key, value, ok, tt.wantKey, tt.wantValue, tt.wantOK)
			}
		})
	}
}

func TestNormalizeArch(t *testing.T) {
	tests := map[string]string{
		"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64",
		"armv7l": "arm", "armv6l": "arm", "riscv64": "riscv64", "s390x": "s390x",
		"i686": "i686",
	}
	for machine, want := range tests {
		t.Run(machine, func(t *testing.T) {
			if got := normalizeArch(machine); got != want {
				t.Errorf("normalizeArch(%q) = %q, want %q", machine, got, want)
			}
		})
	}
}

func TestSupported(t *testing.T) {
	tests := []struct {
		name     string
		facts    Facts
		wantErrs []error
	}{
		{name: "amd64 systemd", facts: Facts{Arch: "amd64", Init: InitSystemd}},
		{name: "arm64 openrc", facts: Facts{Arch: "arm64", Init: InitOpenRC}},
		{name: "arm", facts: Facts{Arch: "arm", Init: InitSystemd},
			wantErrs: []error{ErrUnsupportedArch}},
		{name: "unknown init", facts: Facts{Arch: "amd64", Init: InitUnknown},
			wantErrs: []error{ErrUnsupportedInit}},
		{name: "both", facts: Facts{Arch: "s390x", Init: InitUnknown},
			wantErrs: []error{ErrUnsupportedArch, ErrUnsupportedInit}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.facts.Supported()
			if (err == nil) != (len(tt.wantErrs) == 0) {
				t.Fatalf("Supported() = %v, want %v", err, tt.wantErrs)
			}
			for _, sentinel := range []error{ErrUnsupportedArch, ErrUnsupportedInit} {
				want := slices.Contains(tt.wantErrs, sentinel)
				if errors.Is(err, sentinel) != want {
					t.Errorf("errors.Is(%v, %v) = %v, want %v", err, sentinel, !want, want)
				}
			}
		})
	}
}
