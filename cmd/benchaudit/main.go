// Command benchaudit measures what the audit trail costs the requests it
// records: it starts the real service binary on 127.0.0.1 (benchgw), on
// SQLite and then, when STORAGEGW_TEST_DATABASE_URL names a server, on
// PostgreSQL, with local disk, and measures against the same process in
// turn: GET /healthz (unaudited) and POST /api/storage/signed-url (one
// audited read each) at 64 clients, and 10 KiB PNG receipt uploads at 32
// clients; requests per second, p50 and p99, and the audit commits they
// shared. Every loop is bounded by time. It is run by
// scripts/bench-audit.sh (make bench-audit).
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"storagegw/cmd/internal/benchgw"
)

// orgs spreads the clients over this many orgs, so that the per-org
// upload bound (16 at once) does not answer the 32 uploaders 429.
const orgs = 8

func main() {
	var (
		duration  = flag.Duration("duration", 6*time.Second, "each measurement's length, after a 1 s warm-up")
		clients   = flag.Int("clients", 64, "concurrent clients of /healthz and /signed-url")
		uploaders = flag.Int("uploaders", 32, "concurrent clients of /receipt-upload")
		sqliteToo = flag.Bool("sqlite", true, "measure on SQLite")
		profile   = flag.String("cpuprofile", "", "write the gateway's CPU profile during the signed-URL and receipt measurements to "+
			"FILE-{sqlite,postgresql}-{signed-url,receipts} (the binary is then built with -tags benchpprof)")
	)
	flag.Parse()
	var envs []env
	if *sqliteToo {
		envs = append(envs, env{name: "SQLite"})
	}
	if server := os.Getenv("STORAGEGW_TEST_DATABASE_URL"); server != "" {
		envs = append(envs, env{name: "PostgreSQL", server: server})
	} else {
		fmt.Fprintln(os.Stderr, "benchaudit: no STORAGEGW_TEST_DATABASE_URL: PostgreSQL not measured (run through scripts/with-postgres.sh)")
	}
	var rows []row
	for _, e := range envs {
		r, err := measure(e, *duration, *clients, *uploaders, *profile)
		if err != nil {
			fmt.Fprintf(os.Stderr, "benchaudit: %s: %v\n", e.name, err)
			os.Exit(1)
		}
		rows = append(rows, r...)
	}
	printTable(rows, *clients, *uploaders)
}

// env is a database to measure on.
type env struct {
	name   string
	server string // PostgreSQL server URL; empty for SQLite
}

// row is one measurement.
type row struct {
	env, what string
	clients   int
	res       result
	healthz   float64 // /healthz per second in the same process, for the ratio
}

func measure(e env, d time.Duration, clients, uploaders int, profile string) ([]row, error) {
	work, err := os.MkdirTemp("", "benchaudit-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	var cleanups []func()
	var vars []string
	if e.server != "" {
		dsn, drop, err := benchgw.FreshDatabase(e.server)
		if err != nil {
			return nil, err
		}
		cleanups, vars = append(cleanups, drop), append(vars, "DATABASE_URL="+dsn)
	}
	start := benchgw.Start
	if profile != "" {
		start = benchgw.StartProfiled
	}
	g, err := start(work, vars, cleanups...)
	if err != nil {
		return nil, err
	}
	defer g.Stop()
	b := &bench{base: g.Base, cpu: g.CPU, client: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: max(clients, uploaders), MaxIdleConns: 2 * max(clients, uploaders)}}}
	for i := range orgs {
		tok, err := g.Token(fmt.Sprintf("bench-%d", i), "member")
		if err != nil {
			return nil, err
		}
		b.tokens = append(b.tokens, tok)
		p, err := b.seed(i)
		if err != nil {
			return nil, err
		}
		b.paths = append(b.paths, p)
	}
	fmt.Fprintf(os.Stderr, "benchaudit: %s: gateway %s ready\n", e.name, g.Base)

	healthz := b.run("GET /healthz", clients, d, b.healthz)
	var signed, receipts result
	file := func(what string) string {
		if profile == "" {
			return ""
		}
		return profile + "-" + strings.ToLower(e.name) + "-" + what
	}
	if err := g.Profile(file("signed-url"), d, func() error {
		signed = b.run("POST /signed-url", clients, d, b.signURL)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := g.Profile(file("receipts"), d, func() error {
		receipts = b.run("POST /receipt-upload (10 KiB PNG)", uploaders, d, b.upload)
		return nil
	}); err != nil {
		return nil, err
	}
	for _, r := range []result{healthz, signed, receipts} {
		fmt.Fprintf(os.Stderr, "benchaudit: %s: %s\n", e.name, r)
	}
	return []row{
		{e.name, "GET /healthz", clients, healthz, 0},
		{e.name, "POST /signed-url", clients, signed, healthz.perSecond()},
		{e.name, "POST /receipt-upload (10 KiB PNG)", uploaders, receipts, 0},
	}, nil
}

func printTable(rows []row, clients, uploaders int) {
	fmt.Printf("\n%d clients (%d for uploads), each measurement after a 1 s warm-up; "+
		"events/commit = audit events per group commit while it ran, commit = its mean time, "+
		"CPU = the gateway's CPU time per answer (steadier than rates on a shared machine)\n\n", clients, uploaders)
	fmt.Println("| database | request | clients | per second | p50 | p99 | ÷ healthz | events/commit | commit | CPU | not 2xx |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		ratio := ""
		if r.healthz > 0 {
			ratio = fmt.Sprintf("%.2f", r.res.perSecond()/r.healthz)
		}
		perCommit := ""
		if r.res.commits > 0 {
			perCommit = fmt.Sprintf("%.1f", float64(r.res.events)/float64(r.res.commits))
		}
		fmt.Printf("| %s |\n", strings.Join([]string{r.env, r.what, fmt.Sprint(r.clients),
			fmt.Sprintf("%.0f", r.res.perSecond()), ms(r.res.quantile(0.5)), ms(r.res.quantile(0.99)),
			ratio, perCommit, r.res.meanCommit(), r.res.cpuPerRequest(), fmt.Sprint(r.res.failed)}, " | "))
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
