package logging

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"go.uber.org/zap/zapcore"
)

func TestNew(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"console", "json"} {
		var buf bytes.Buffer
		log, err := newLogger("info", format, zapcore.AddSync(&buf))
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		log.Debug("hidden")
		log.Info("shown")
		_ = log.Sync()
		out := buf.String()
		if strings.Contains(out, "hidden") || !strings.Contains(out, "shown") {
			t.Errorf("%s: got %q, want only the info line", format, out)
		}
		if format == "json" {
			var line map[string]any
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil || line["msg"] != "shown" || line["level"] != "info" {
				t.Errorf("json: got %q (%v), want one object with msg and level", out, err)
			}
		}
	}
	if _, err := New("info", "json"); err != nil {
		t.Errorf("New: %v", err)
	}
	for _, bad := range [][2]string{{"loud", "json"}, {"info", "xml"}} {
		if _, err := New(bad[0], bad[1]); err == nil {
			t.Errorf("New(%q, %q): got no error, want one", bad[0], bad[1])
		}
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain message", "plain message"},
		{"Authorization: Bearer abc.def-ghi", "Authorization: Bearer ***"},
		{"token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl end", "token *** end"},
		{"GET /blob?exp=1&sig=deadbeef&x=1", "GET /blob?exp=1&sig=***&x=1"},
		{"GET /api/storage/blob?t=xJV2hhQq-LV1_wJT5u", "GET /api/storage/blob?t=***"},
		{`url "http://h/api/storage/multipart/part?x=1&t=vS4U9s0C" refused`, `url "http://h/api/storage/multipart/part?x=1&t=***" refused`},
		{"GET /x?at=1&t_id=2", "GET /x?at=1&t_id=2"},
		{"https://b.nyc3.digitaloceanspaces.com/k?X-Amz-Credential=AK%2F1&X-Amz-Signature=f00", "https://b.nyc3.digitaloceanspaces.com/k?X-Amz-Credential=***&X-Amz-Signature=***"},
		{"postgres://gw:s3cret@db:5432/x", "postgres://gw:***@db:5432/x"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestProvide(t *testing.T) {
	t.Parallel()
	log, cleanup, err := Provide(Options{Level: "info", Format: "json"})
	if err != nil || log == nil {
		t.Fatalf("got %v, %v, want a logger", log, err)
	}
	cleanup()
	if _, _, err := Provide(Options{Level: "loud", Format: "json"}); err == nil {
		t.Error("level loud: got no error, want one")
	}
}
