package reactive

import (
	"fmt"
	"reflect"

	"github.com/charmkit/charmkit/internal/callsite"
)

// Layer is a reusable part of a charm, such as the leadership layer: it
// registers its own callbacks or handlers on a [Registry] and manages a
// family of flags. A layer's Register function calls [Registry.AddLayer],
// so that hooks can find it ([Hook.Layer]) and tools (charmkit vet, the
// graph) know which flags it sets.
type Layer interface {
	// LayerName names the layer, e.g. "leadership". A registry holds one
	// layer of each name.
	LayerName() string
	// LayerFlags lists the flags the layer sets and clears: exact names
	// ("leadership.is_leader") or families ending in ".*"
	// ("leadership.set.*"). A handler watching a flag that starts with the
	// layer's name and a dot but is none of these gets a WARNING at the
	// start of every hook (see [HookLayer]).
	LayerFlags() []string
}

// HookLayer is a [Layer] whose flags depend on what a hook finds when it
// starts, such as the relations of the charm's metadata or the options of
// its config.yaml. At the start of every hook that is not restricted, once
// the start callbacks have run, the registry compares each flag that a
// handler watches and that starts with a layer's name and a dot with the
// layer's flags: HookFlags for a HookLayer, LayerFlags otherwise; a flag
// that matches none of them is logged as a WARNING, since the layer never
// sets it (see the package documentation, "Mistakes caught at
// registration and at start").
type HookLayer interface {
	Layer
	// HookFlags lists, in LayerFlags' notation, the flags of the layer's
	// family that may be set in the hook h: those the layer sets, and
	// families ("endpoint.db.*") where the charm may set flags of its own.
	// It is called after the start callbacks. Nil means LayerFlags.
	HookFlags(h *Hook) []string
}

// layerEntry is a registered layer and where the charm registered it.
type layerEntry struct {
	layer Layer
	site  site
}

// AddLayer records l on r. A second layer of the same name panics, naming
// both registration sites: the charm's lines that called the layer's
// Register function (the first caller outside this package and the
// layer's own).
func (r *Registry) AddLayer(l Layer) {
	if l == nil {
		panic(fmt.Sprintf("reactive: AddLayer at %s: nil layer", callsite.Charm(0)))
	}
	site := layerSite(l)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.layers {
		if e.layer.LayerName() == l.LayerName() {
			panic(fmt.Sprintf("reactive: layer %q registered twice: at %s and at %s; register each layer once, in the function that registers the charm's handlers",
				l.LayerName(), e.site, site))
		}
	}
	r.layers = append(r.layers, layerEntry{layer: l, site: site})
}

// Layer returns the layer registered on r under name, or nil.
func (r *Registry) Layer(name string) Layer {
	r.mu.Lock()
	defer r.mu.Unlock()
	return findLayer(r.layers, name)
}

// Layers returns the layers registered on r, in registration order.
func (r *Registry) Layers() []Layer {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Layer, len(r.layers))
	for i, e := range r.layers {
		out[i] = e.layer
	}
	return out
}

func findLayer(layers []layerEntry, name string) Layer {
	for _, e := range layers {
		if e.layer.LayerName() == name {
			return e.layer
		}
	}
	return nil
}

// layerSite returns the site of the first caller outside this package and
// the package that defines l's type: the charm's line.
func layerSite(l Layer) site {
	t := reflect.TypeOf(l)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return callsite.Outside(1, t.PkgPath(), reflect.TypeOf(layerEntry{}).PkgPath())
}
