package hostfacts

import (
	"errors"
	"fmt"
)

// Errors returned by Facts.Supported; test them with errors.Is.
var (
	// ErrUnsupportedArch means lightnode is not built for the host's architecture.
	ErrUnsupportedArch = errors.New("unsupported architecture")
	// ErrUnsupportedInit means lightnode cannot install its service with the host's
	// init system.
	ErrUnsupportedInit = errors.New("unsupported init system")
)

// InitSystem names the service manager that runs as PID 1.
type InitSystem string

// Init systems Gather recognises.
const (
	// InitSystemd is systemd.
	InitSystemd InitSystem = "systemd"
	// InitOpenRC is OpenRC.
	InitOpenRC InitSystem = "openrc"
	// InitUnknown is any other init system.
	InitUnknown InitSystem = "unknown"
)

// Architectures lightnode is built for; other architectures are reported as the
// kernel names them.
const (
	// ArchAMD64 is 64-bit x86.
	ArchAMD64 = "amd64"
	// ArchARM64 is 64-bit ARM.
	ArchARM64 = "arm64"
	// ArchARM is 32-bit ARM; lightnode is not built for it.
	ArchARM = "arm"
)

// Facts describes one host.
type Facts struct {
	// OSID is the ID field of os-release, such as "ubuntu" or "alpine".
	OSID string
	// OSVersion is the VERSION_ID field of os-release, such as "24.04".
	OSVersion string
	// OSName is the PRETTY_NAME field of os-release, for people to read.
	OSName string
	// Arch is the CPU architecture in Go's naming, such as "amd64" or "arm64".
	Arch string
	// Kernel is the kernel release, as uname -r prints it.
	Kernel string
	// Init is the init system.
	Init InitSystem
	// Hostname is the host's node name.
	Hostname string
	// CPUs is the number of online CPUs.
	CPUs int
	// MemoryBytes is the total memory.
	MemoryBytes int64
	// DataDirFreeBytes is the space available to unprivileged users on the file
	// system that holds, or will hold, the data directory.
	DataDirFreeBytes int64
}

// Supported reports whether lightnode can be installed on the host, wrapping
// ErrUnsupportedArch and ErrUnsupportedInit for each fact that prevents it.
func (f Facts) Supported() error {
	var errs []error
	if f.Arch != ArchAMD64 && f.Arch != ArchARM64 {
		errs = append(errs, fmt.Errorf("%w %q: lightnode runs on %s and %s",
			ErrUnsupportedArch, f.Arch, ArchAMD64, ArchARM64))
	}
	if f.Init != InitSystemd && f.Init != InitOpenRC {
		errs = append(errs, fmt.Errorf("%w %q: lightnode installs services with %s or %s",
			ErrUnsupportedInit, f.Init, InitSystemd, InitOpenRC))
	}
	return errors.Join(errs...)
}

// normalizeArch maps a machine name from uname -m to Go's architecture name.
func normalizeArch(machine string) string {
	switch machine {
	case "x86_64", "amd64":
		return ArchAMD64
	case "aarch64", "arm64", "aarch64_be":
		return ArchARM64
	case "armv6l", "armv7l", "armv8l", "armhf", "arm":
		return ArchARM
	default:
		return machine
	}
}
