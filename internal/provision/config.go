package provision

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
)

// ConfigInput is everything RenderConfig needs. Its token and endpoint fields are
// sensitive and end up only in the 0600 configuration file.
type ConfigInput struct {
	// Cluster is the node's LightCluster.
	Cluster *lcv1.LightCluster
	// Node is the LightNode being configured.
	Node *lcv1.LightNode
	// NodeName is the Kubernetes Node name to register (see NodeName).
	NodeName string
	// Initial is true for the server that bootstraps the cluster.
	Initial bool
	// ServerURL is the https URL of the server to join; ignored when Initial.
	ServerURL string
	// ServerToken is the full server join token.
	ServerToken string
	// AgentToken is the full agent join token.
	AgentToken string
	// DatastoreEndpoint is the external datastore's endpoint, for servers of an
	// external-datastore cluster.
	DatastoreEndpoint string
}

// NodeName returns the Kubernetes Node name of node: spec.nodeName, else the
// host's name in lower case.
func NodeName(node *lcv1.LightNode, hostname string) string {
	if node.Spec.NodeName != "" {
		return node.Spec.NodeName
	}
	return strings.ToLower(hostname)
}

// RenderConfig returns lightnode's config.yaml for in. Keys are the flag names of
// `lightnode server` or `lightnode agent`; an agent's file holds agent keys only,
// because lightnode rejects keys of the other subcommand.
func RenderConfig(in ConfigInput) ([]byte, error) {
	if in.Cluster == nil || in.Node == nil {
		return nil, fmt.Errorf("render config: cluster and node are required")
	}
	cfg := agentKeys(in)
	if in.Node.Spec.Role == lcv1.RoleServer {
		maps.Copy(cfg, serverKeys(in))
	}
	data, err := yaml.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("render config: %w", err)
	}
	return data, nil
}

// agentKeys returns the keys both roles take.
func agentKeys(in ConfigInput) map[string]any {
	spec := in.Node.Spec
	cfg := map[string]any{
		"data-dir":  orDefault(spec.DataDir, DefaultDataDir),
		"node-name": in.NodeName,
		"token":     in.ServerToken,
	}
	if spec.Role == lcv1.RoleAgent {
		cfg["token"] = in.AgentToken
	}
	if !in.Initial {
		cfg["server"] = in.ServerURL
	}
	if spec.NodeIP != "" {
		cfg["node-ip"] = []string{spec.NodeIP}
	}
	if labels := nodeLabels(spec.Labels); len(labels) > 0 {
		cfg["node-label"] = labels
	}
	if taints := nodeTaints(spec.Taints); len(taints) > 0 {
		cfg["node-taint"] = taints
	}
	return cfg
}

// serverKeys returns the keys only servers take.
func serverKeys(in ConfigInput) map[string]any {
	cluster := in.Cluster.Spec
	net := cluster.Network
	cfg := map[string]any{
		"agent-token": in.AgentToken,
		"tls-san":     tlsSANs(in),
	}
	putList(cfg, "cluster-cidr", net.ClusterCIDR)
	putList(cfg, "service-cidr", net.ServiceCIDR)
	putList(cfg, "cluster-dns", net.ClusterDNS)
	if net.ClusterDomain != "" {
		cfg["cluster-domain"] = net.ClusterDomain
	}
	if net.FlannelBackend != "" {
		cfg["flannel-backend"] = string(net.FlannelBackend)
	}

	switch cluster.Datastore.Type {
	case lcv1.DatastoreEtcd:
		if in.Initial {
			cfg["cluster-init"] = true
		}
	case lcv1.DatastoreExternal:
		cfg["datastore-endpoint"] = in.DatastoreEndpoint
	}
	return cfg
}

// tlsSANs returns the cluster's extra SANs, the node's SSH address and the
// control-plane endpoint, sorted and without duplicates.
func tlsSANs(in ConfigInput) []string {
	sans := []string{string(in.Node.Spec.SSH.Address)}
	for _, san := range in.Cluster.Spec.TLSSANs {
		sans = append(sans, string(san))
	}
	if ep := in.Cluster.Spec.ControlPlaneEndpoint; ep != nil {
		sans = append(sans, string(ep.Host))
	}
	slices.Sort(sans)
	return slices.Compact(sans)
}

// nodeLabels returns labels as sorted key=value items.
func nodeLabels(labels map[string]string) []string {
	items := make([]string, 0, len(labels))
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		items = append(items, k+"="+labels[k])
	}
	return items
}

// nodeTaints returns taints as key=value:Effect items, or key:Effect without a value.
func nodeTaints(taints []lcv1.Taint) []string {
	items := make([]string, 0, len(taints))
	for _, t := range taints {
		kv := t.Key
		if t.Value != "" {
			kv += "=" + t.Value
		}
		items = append(items, kv+":"+string(t.Effect))
	}
	return items
}

// putList sets key to the comma-separated items of value, when there are any.
func putList(cfg map[string]any, key, value string) {
	if value != "" {
		cfg[key] = strings.Split(value, ",")
	}
}
