package storagegw_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// listedPackage is what `go list -json` says about one package.
type listedPackage struct {
	ImportPath   string
	GoFiles      []string
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

// mayImportAdapters reports whether the package at path may import
// adapters: the composition root, the commands and the end-to-end tests.
func mayImportAdapters(path string) bool {
	return path == "storagegw" || strings.HasPrefix(path, "storagegw/cmd/") || path == "storagegw/e2e" || strings.HasPrefix(path, "storagegw/e2e/")
}

// TestDependencyDirection enforces the hexagon: domain imports only the
// standard library; application imports domain and small libraries but no
// adapter, database, HTTP framework or store SDK; adapters import neither
// each other nor the configuration, and the HTTP adapter holds no content
// rule (archive or content-type checks belong to the domain); only the
// composition root, the commands and the end-to-end tests import adapters.
func TestDependencyDirection(t *testing.T) {
	t.Parallel()
	forbiddenInApp := []string{"storagegw/adapters", "storagegw/ent", "storagegw/configs", "storagegw/migrations",
		"entgo.io/", "github.com/gin-gonic/", "github.com/minio/", "github.com/jackc/", "modernc.org/sqlite",
		"go.uber.org/zap", "net/http", "database/sql"}
	contentRulesInHTTP := []string{"archive/", "github.com/gabriel-vasile/mimetype"}
	checked := map[string]bool{}
	for _, p := range listPackages(t) {
		imports := p.Imports
		switch {
		case p.ImportPath == "storagegw/domain" || strings.HasPrefix(p.ImportPath, "storagegw/domain/"):
			// domain and its test fixtures (domain/ziptest) use only the
			// standard library, and each other.
			imports = append(append(imports, p.TestImports...), p.XTestImports...)
			for _, imp := range imports {
				if !isStdlib(imp) && imp != "storagegw/domain" && !strings.HasPrefix(imp, "storagegw/domain/") {
					t.Errorf("%s imports %s; it may import only the standard library", p.ImportPath, imp)
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
					t.Errorf("%s imports %s; adapters meet only in the composition root", p.ImportPath, imp)
				}
				if imp == "storagegw/configs" {
					t.Errorf("%s imports %s; the composition root turns the configuration into the adapter's options", p.ImportPath, imp)
				}
			}
			checked["adapters"] = true
			if p.ImportPath == "storagegw/adapters/http" {
				for _, imp := range imports {
					for _, bad := range contentRulesInHTTP {
						if strings.HasPrefix(imp, bad) {
							t.Errorf("%s imports %s; content rules belong to the domain", p.ImportPath, imp)
						}
					}
				}
				for _, f := range p.GoFiles {
					if strings.Contains(f, "zip") {
						t.Errorf("%s has %s; archive checks belong to the domain", p.ImportPath, f)
					}
				}
				checked["adapters/http"] = true
			}
		case mayImportAdapters(p.ImportPath):
			checked[p.ImportPath] = true
		default:
			imports = append(append(imports, p.TestImports...), p.XTestImports...)
			for _, imp := range imports {
				if strings.HasPrefix(imp, "storagegw/adapters/") {
					t.Errorf("%s imports %s; only the composition root, the commands and the end-to-end tests import adapters",
						p.ImportPath, imp)
				}
			}
			checked["others"] = true
		}
	}
	for _, want := range []string{"domain", "application", "adapters", "adapters/http", "others",
		"storagegw", "storagegw/cmd/storagegw", "storagegw/e2e"} {
		if !checked[want] {
			t.Errorf("no %s package was checked", want)
		}
	}
}
