// Package layertest is a minimal layer for the reactive package's tests: a
// package of its own, as a real layer is, so that registration sites are
// reported as the charm's lines.
package layertest

import "github.com/charmkit/charmkit/reactive"

// Layer is a layer with a name and two flag families.
type Layer struct{ Name string }

// LayerName implements reactive.Layer.
func (l *Layer) LayerName() string { return l.Name }

// LayerFlags implements reactive.Layer.
func (l *Layer) LayerFlags() []string { return []string{l.Name + ".ready", l.Name + ".set.*"} }

// Register adds the layer to r, as a layer's Register function does.
func Register(r *reactive.Registry, name string) *Layer {
	l := &Layer{Name: name}
	r.AddLayer(l)
	return l
}
