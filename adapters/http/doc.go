// Package httpapi is the inbound HTTP adapter: the Gin router that exposes
// storagegw's use cases as the REST API of SPEC §4, plus health endpoints.
package httpapi
