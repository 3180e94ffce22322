// Package endpoint is the Go port of charms.reactive's Endpoint.
package endpoint

// placeholder is the endpoint-name template of flag names.
const placeholder = "{endpoint_name}"
