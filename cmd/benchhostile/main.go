// Command benchhostile measures the gateway's memory under hostile
// clients: it builds and starts the real service binary on 127.0.0.1
// (SQLite and local disk under a temp dir; PostgreSQL and Spaces with
// -postgres and -spaces), runs each attack in turn, bounded in count and
// time, and prints the server's resident memory before, at peak and after
// each, with the answers the attack saw. It is run by
// scripts/bench-hostile.sh (make bench-hostile).
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"storagegw/domain/ziptest"
)

// orgs spreads the attacks' uploads over this many orgs, so that the
// per-org upload bound (16) does not answer them 429 before their body.
const orgs = 10

// bodyRateWindow is the gateway's STORAGEGW_BODY_RATE_WINDOW here (30 s
// by default): short, to keep the slow-body attack short.
const bodyRateWindow = "5s"

// bench is a running gateway and what the attacks need of it.
type bench struct {
	*gateway
	addr   string
	tokens []string
	client *http.Client
}

func main() {
	usePostgres := flag.Bool("postgres", false, "run on PostgreSQL (a fresh database on STORAGEGW_TEST_DATABASE_URL's server)")
	useSpaces := flag.Bool("spaces", false, "store on Spaces (a fresh bucket on STORAGEGW_TEST_S3_ENDPOINT)")
	flag.Parse()
	if err := run(*usePostgres, *useSpaces); err != nil {
		fmt.Fprintln(os.Stderr, "benchhostile:", err)
		os.Exit(1)
	}
}

func run(usePostgres, useSpaces bool) error {
	work, err := os.MkdirTemp("", "benchhostile-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	g, err := startGateway(work, []string{"STORAGEGW_BODY_RATE_WINDOW=" + bodyRateWindow}, usePostgres, useSpaces)
	if err != nil {
		return err
	}
	defer g.Stop()
	b := &bench{gateway: g, addr: strings.TrimPrefix(g.Base, "http://"),
		client: &http.Client{Timeout: 30 * time.Second}}
	for i := range orgs {
		tok, err := g.token(fmt.Sprintf("bench-%d", i))
		if err != nil {
			return err
		}
		b.tokens = append(b.tokens, tok)
	}

	env := []string{"SQLite"}
	if usePostgres {
		env[0] = "PostgreSQL"
	}
	env = append(env, map[bool]string{false: "local disk", true: "Spaces (versitygw)"}[useSpaces])
	fmt.Printf("gateway %s on %s + %s, STORAGEGW_BODY_RATE_WINDOW=%s (default 30s), ReadHeaderTimeout 10s\n",
		g.Base, env[0], env[1], bodyRateWindow)

	attacks := []attack{
		{"slow headers: 200 conns, 1 header byte/s for 15 s", "closed at ReadHeaderTimeout (10 s)", slowHeaders(200, 15*time.Second)},
		{"slow bodies: 50 uploads, 1 byte/2 s after the fields", "408 body_too_slow within ~2 windows (10 s)", slowBodies(50, 25*time.Second)},
		{"huge part headers: 40 conns, 8 MiB header, then silent", "413 form_header_too_large", hugePartHeaders(40, 15*time.Second)},
		{"zip: 5 at once of the aliasing archive, then of 100,001 entries", "415 not_a_zip", zipUploads(5, ziptest.Aliasing, func() []byte { return ziptest.Many(100_001) })},
		{"metrics: 200 requests with 500 KB methods", "431 from Go's HTTP server (request line and headers over 64 KiB), no new series", hugeMethods(200, 500_000)},
	}
	var rows [][]string
	for _, a := range attacks {
		if err := g.resetPeak(); err != nil {
			fmt.Fprintln(os.Stderr, "benchhostile: cannot reset VmHWM, peaks are the process's so far:", err)
		}
		before, _ := g.memory()
		start := time.Now()
		var t tally
		a.run(b, &t)
		took := time.Since(start)
		_, peak := g.memory()
		time.Sleep(time.Second) // let connections close and buffers go back
		after, _ := g.memory()
		seen := t.String()
		fmt.Printf("%-62s RSS %6s before, %6s peak, %6s after (%s); want %s; got %s\n",
			a.name, mib(before), mib(peak), mib(after), roundS(took), a.expect, seen)
		rows = append(rows, []string{a.name, mib(before), mib(peak), mib(after), roundS(took).String(), seen})
	}
	printTable(env[0]+" + "+env[1], rows)
	return nil
}

// post opens a connection and sends the head of a POST of length bytes
// to path, as org i's member, and the first bytes of its body.
func (b *bench) post(i int, path, contentType string, body []byte, length int) (net.Conn, error) {
	conn, err := net.Dial("tcp", b.addr)
	if err != nil {
		return nil, fmt.Errorf("dial failed")
	}
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		path, b.addr, b.tokens[i%len(b.tokens)], contentType, length)
	if _, err := conn.Write(append([]byte(head), body...)); err != nil {
		conn.Close()
		return nil, fmt.Errorf("write failed")
	}
	return conn, nil
}

// metricsSize is the length of a /metrics answer in bytes, and its
// number of storagegw_http_* series.
func (b *bench) metricsSize() string {
	res, err := b.client.Get(b.Base + "/metrics")
	if err != nil {
		return "(no answer)"
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	series := 0
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "storagegw_http_") {
			series++
		}
	}
	return fmt.Sprintf("%d B/%d series", len(body), series)
}

func mib(n int64) string { return fmt.Sprintf("%.1fM", float64(n)/(1<<20)) }

func printTable(env string, rows [][]string) {
	fmt.Printf("\n%s\n\n| attack | RSS before | peak | after | took | answers |\n|---|---|---|---|---|---|\n", env)
	for _, r := range rows {
		fmt.Printf("| %s |\n", strings.Join(r, " | "))
	}
}
