// Package config is the Go port of layer-basic's config flags.
package config
