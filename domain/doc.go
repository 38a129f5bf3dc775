// Package domain holds storagegw's pure business types: storage paths, file
// records, multipart upload sessions and their part plans, audit events, the
// role policy and the closed set of domain errors.
// It imports only the standard library and performs no I/O.
package domain
