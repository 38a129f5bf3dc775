package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// listedPackage is what `go list -json` says about one package.
type listedPackage struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Standard     bool
}

func listPackages(t *testing.T) []listedPackage {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

func isStdlib(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".") && first != "storagegw"
}

// TestDependencyDirection enforces the hexagon: domain imports only the
// standard library; application imports domain and small libraries but no
// adapter, database, HTTP framework or store SDK; only the root package
// (wire.go) imports adapters, and adapters do not import each other.
func TestDependencyDirection(t *testing.T) {
	t.Parallel()
	forbiddenInApp := []string{"storagegw/adapters", "storagegw/ent", "storagegw/configs", "storagegw/migrations",
		"entgo.io/", "github.com/gin-gonic/", "github.com/minio/", "github.com/jackc/", "modernc.org/sqlite",
		"go.uber.org/zap", "net/http", "database/sql"}
	checked := map[string]bool{}
	for _, p := range listPackages(t) {
		imports := p.Imports
		switch {
		case p.ImportPath == "storagegw/domain":
			imports = append(append(imports, p.TestImports...), p.XTestImports...)
			for _, imp := range imports {
				if !isStdlib(imp) && imp != "storagegw/domain" {
					t.Errorf("domain imports %s; it may import only the standard library", imp)
				}
			}
			checked["domain"] = true
		case strings.HasPrefix(p.ImportPath, "storagegw/application"):
			imports = append(append(imports, p.TestImports...), p.XTestImports...)
			for _, imp := range imports {
				for _, bad := range forbiddenInApp {
					if imp == strings.TrimSuffix(bad, "/") || strings.HasPrefix(imp, bad) {
						t.Errorf("%s imports %s; application code may not", p.ImportPath, imp)
					}
				}
			}
			checked["application"] = true
		case strings.HasPrefix(p.ImportPath, "storagegw/adapters/"):
			own := strings.Join(strings.Split(p.ImportPath, "/")[:3], "/")
			for _, imp := range imports {
				if strings.HasPrefix(imp, "storagegw/adapters/") && !strings.HasPrefix(imp, own) {
					t.Errorf("%s imports %s; adapters meet only in wire.go", p.ImportPath, imp)
				}
			}
			checked["adapters"] = true
		case p.ImportPath == "storagegw":
			checked["root"] = true
		default:
			for _, imp := range imports {
				if strings.HasPrefix(imp, "storagegw/adapters/") {
					t.Errorf("%s imports %s; only the root package imports adapters", p.ImportPath, imp)
				}
			}
		}
	}
	for _, want := range []string{"domain", "application", "adapters", "root"} {
		if !checked[want] {
			t.Errorf("no %s package was checked", want)
		}
	}
}
