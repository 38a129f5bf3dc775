//go:build benchpprof

package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"
)

// Built only with -tags benchpprof (benchaudit -cpuprofile): the profiling
// endpoints of net/http/pprof on STORAGEGW_PPROF_ADDR, a listener of their
// own, never the API's, in `serve` only. The service's normal build has
// none of this.
func init() {
	addr := os.Getenv("STORAGEGW_PPROF_ADDR")
	if addr == "" || len(os.Args) < 2 || os.Args[1] != "serve" { // the gateway only, not `token` beside it
		return
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "storagegw: pprof listener %s: %v\n", addr, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l) //nolint:errcheck // ends with the process
}
