// Package metrics defines the operator's own Prometheus metrics and registers them
// with controller-runtime's registry, so they are served beside its metrics.
package metrics
