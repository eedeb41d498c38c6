package agent

import (
	"sort"
	"strings"
)

// PauseImage is the sandbox image, carried in the bundle.
const PauseImage = "lightcluster.dev/pause:3.10"

// labelList renders labels as the kubelet's --node-labels value, sorted by key.
func labelList(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+labels[k])
	}
	return strings.Join(parts, ",")
}
