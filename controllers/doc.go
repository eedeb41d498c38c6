// Package controllers holds the reconcilers of the lightcluster operator: one for
// LightCluster and one for LightNode, each split into a spine, phase, status and
// deletion files.
package controllers
