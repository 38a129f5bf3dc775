package e2e

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestPostgresBlackHole: PostgreSQL stops answering (every packet dropped,
// no connection breaks); requests that need the database answer 503
// database_unavailable within twice DATABASE_OPERATION_TIMEOUT and a
// margin (the operation, then the audit record of its failure, each bounded
// by it), /readyz answers 503, and once the network is back they succeed again without a
// restart.
func TestPostgresBlackHole(t *testing.T) {
	t.Parallel()
	env := postgresEnv(t)
	u, err := url.Parse(env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	proxy := newSwitchProxy(t, u.Host)
	u.Host = proxy.addr()
	const opTimeout = 2 * time.Second
	env["DATABASE_URL"] = u.String()
	env["DATABASE_OPERATION_TIMEOUT"] = opTimeout.String()
	env["DATABASE_CONNECT_TIMEOUT"] = opTimeout.String()
	a := newAPI(t, env)
	member, viewer := a.Token("org-1", "member"), a.Token("org-1", "viewer")
	a.UploadDoc("org-1", "d0", "before.png", pngOf(100)) // the pool holds open connections
	upload := func(id string) response {
		return a.Upload("/api/storage/upload", member,
			[][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", id}}, "a.png", pngOf(1000))
	}

	proxy.set("blackhole")
	const limit = 2*opTimeout + 2*time.Second
	type timed struct {
		r response
		d time.Duration
	}
	run := func(f func() response) <-chan timed {
		ch := make(chan timed, 1)
		go func() {
			start := time.Now()
			r := f()
			ch <- timed{r, time.Since(start)}
		}()
		return ch
	}
	list := run(func() response { return a.Get("/api/storage/files", viewer) })
	up := run(func() response { return upload("d1") })
	ready := run(func() response { return a.Get("/readyz", "") })
	for _, c := range []struct {
		what string
		ch   <-chan timed
	}{{"list", list}, {"upload", up}} {
		got := <-c.ch
		want(t, c.what+" with the database black-holed", got.r, http.StatusServiceUnavailable, "database_unavailable")
		t.Logf("%s: 503 after %v", c.what, got.d.Round(time.Millisecond))
		if got.d > limit {
			t.Errorf("%s took %v with the database black-holed; want at most %v", c.what, got.d, limit)
		}
	}
	if got := <-ready; got.r.Status != http.StatusServiceUnavailable {
		t.Errorf("readyz with the database black-holed: got %d, want 503", got.r.Status)
	} else {
		t.Logf("readyz: 503 after %v", got.d.Round(time.Millisecond))
	}

	proxy.set("up")
	start := time.Now()
	for {
		r := a.Get("/api/storage/files", viewer)
		if r.Status == http.StatusOK {
			break
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("list after the database came back: still %d %s", r.Status, r.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("recovered: list 200 after %v", time.Since(start).Round(time.Millisecond))
	want(t, "upload after the database came back", upload("d2"), http.StatusCreated, "")
	if r := a.Get("/readyz", ""); r.Status != http.StatusOK {
		t.Errorf("readyz after the database came back: got %d, want 200", r.Status)
	}
}
