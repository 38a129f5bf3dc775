// Package application holds storagegw's use cases and the ports (small
// interfaces) they need from the outside world. It imports domain and never
// an adapter, a database driver, an HTTP framework or an object-store SDK.
package application
