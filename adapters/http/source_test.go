package httpapi

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var (
	statusRef   = regexp.MustCompile(`http\.(Status[A-Za-z]+)`)
	codeLiteral = regexp.MustCompile(`\b(Status|JSON|AbortWithStatus\w*)\(\s*[1-5]\d\d\b`)
)

// sources returns the package's Go files by name.
func sources(t *testing.T) map[string]string {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = string(b)
	}
	return out
}
