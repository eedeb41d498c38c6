package containerd

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"sigs.k8s.io/yaml"
)

// DefaultRegistriesFile is where a node's registry mirrors are configured.
const DefaultRegistriesFile = "/etc/lightnode/registries.yaml"

// Registries is the part of registries.yaml that lightnode applies: the mirrors of
// each registry.
type Registries struct {
	// Mirrors maps a registry host name (docker.io, or * for any) to its mirrors.
	Mirrors map[string]Mirror `json:"mirrors,omitempty"`
}

// Mirror lists the endpoints that serve a registry's images.
type Mirror struct {
	// Endpoint lists mirror URLs, tried in order.
	Endpoint []string `json:"endpoint,omitempty"`
}

// LoadRegistries reads the registries file at path; a missing file means no mirrors.
func LoadRegistries(path string) (Registries, error) {
	var r Registries
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("read registries: %w", err)
	}
	if err := yaml.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("parse registries %s: %w", path, err)
	}
	return r, nil
}

// Endpoints returns the mirror endpoints keyed by registry, as WriteHosts takes them.
func (r Registries) Endpoints() map[string][]string {
	out := make(map[string][]string, len(r.Mirrors))
	for registry, m := range r.Mirrors {
		out[registry] = m.Endpoint
	}
	return out
}
