package httpapi

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"io/fs"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"storagegw/domain"
)

// The error codes of the document are checked against the source, both
// ways, mechanically:
//
//   - every code some error of the service is built with (a call
//     domain.Errorf/Wrap or errorf with a literal or constant code, found by
//     parsing the non-test Go files) is enumerated by at least one
//     operation, under the status statusOf gives it, unless
//     openAPIUnansweredCodes says why no client sees it;
//   - every code an operation enumerates is built somewhere in the source
//     (or is one of openAPIComputedCodes), and under that status;
//   - the codes built in a file that serves a family of operations (the
//     JSON decoder, the form reader, authentication, Idempotency-Key, the
//     load shedder, TUS, upload capabilities) are enumerated by every
//     operation of the family, or by some for the route-specific ones.

// openAPIUnansweredCodes are codes built in the source that no response
// carries, each with the reason.
var openAPIUnansweredCodes = map[string]string{
	"route_not_found":            "the answer for a path no operation has; PUT multipart/part documents it (a wrong-store part URL)",
	"method_not_allowed":         "the answer for a method no operation has",
	"not_ready":                  "/readyz answers its own Readiness report",
	"invalid_database_url":       "configuration, at start-up",
	"invalid_record":             "a database refusal the use cases never provoke: a 500",
	"invalid_content":            "a store invariant (domain), a 500 if ever broken",
	"invalid_actor":              "a use-case invariant (domain), a 500 if ever broken",
	"invalid_query":              "the clean-up job's own arguments, not a request's",
	"bad_checkpoint_signature":   "the audit verifier (cmd), not a request",
	"invalid_checkpoint":         "the audit verifier (cmd), not a request",
	"purge_failing":              "the purge job, not a request",
	"blob_key_conflict":          "a store invariant: keys are content addressed",
	"invalid_blob_key":           "a store invariant: keys are built by the service",
	"blob_key_unsupported":       "a store invariant: keys are built by the service",
	"invalid_part":               "a store invariant: part numbers and sizes are checked before the store sees them",
	"invalid_range":              "a store invariant: ranges are checked against the size first (range_not_satisfiable)",
	"part_too_small":             "a store invariant: part sizes are fixed at initiate",
	"store_size_mismatch":        "a store invariant surfaced as store_unavailable's 503",
	"upload_in_use":              "the clean-up job's, not a request's",
	"idempotency_claim_lost":     "internal to the Idempotency-Key middleware: the request is answered idempotency_key_in_progress",
	"idempotency_key_completed":  "internal to the Idempotency-Key middleware: the stored answer is replayed",
	"already_exists":             "a database uniqueness conflict the use cases turn into their own codes",
	"malformed_body":             "a multipart body cut off: the client went away",
	"request_too_large":          "the form reader's limit past the file's, answered before as file_too_large",
	"audit_chain_unavailable":    "every deployment wires the audit chain (providers.go)",
	"multipart_unavailable":      "every deployment wires a multipart store (local disk and S3 both are)",
	"checkpoint_org":             "the audit verifier (cmd), not a request",
	"unknown_checkpoint_key":     "the audit verifier (cmd), not a request",
	"invalid_audit_event":        "a domain invariant: the use cases build audit events",
	"invalid_audit_metadata":     "a domain invariant: the use cases build audit metadata",
	"invalid_audit_query":        "a store invariant: the HTTP layer validates the query first",
	"invalid_list_query":         "a store invariant: the HTTP layer validates the query first",
	"invalid_usage_query":        "a store invariant: the use cases always ask for the caller's org",
	"invalid_purge":              "the purge job's own arguments, not a request's",
	"invalid_purge_query":        "the purge job's own arguments, not a request's",
	"invalid_reconcile":          "the reconcile job's own arguments, not a request's",
	"invalid_capability":         "a domain invariant: capabilities are built from checked requests",
	"invalid_link":               "a domain invariant: links are built from checked requests",
	"invalid_idempotency_record": "a domain invariant of the Idempotency-Key store",
	"invalid_idempotent_answer":  "a domain invariant of the Idempotency-Key store",
	"invalid_tus_upload":         "a domain invariant: TUS uploads are built from checked requests",
	"invalid_upload":             "a domain invariant of upload leases",
	"invalid_upload_session":     "a domain invariant: sessions are built from checked requests",
	"invalid_version":            "a store invariant: versions are built by the use cases from committed records",
	"too_large":                  "the S3 store's own cap: the use cases refuse a larger file first (file_too_large)",
}

// openAPIComputedCodes are codes the source builds from a variable (so
// the scan cannot see them), with the status they are answered with.
var openAPIComputedCodes = map[string]int{
	"too_many_requests": http.StatusTooManyRequests,
	"too_many_uploads":  http.StatusTooManyRequests,
	// "invalid_"+name: domain.ValidateID's fields, boolParam's and
	// timeParam's names.
	"invalid_object_id":     http.StatusBadRequest,
	"invalid_overwrite":     http.StatusBadRequest,
	"invalid_add_timestamp": http.StatusBadRequest,
	"invalid_success":       http.StatusBadRequest,
	"invalid_from":          http.StatusBadRequest,
	"invalid_to":            http.StatusBadRequest,
}

// openAPINotServed: generated mocks and the in-memory fakes of the use-case
// tests, never wired into the service.
func openAPINotServed(p string) bool {
	p = filepath.ToSlash(p)
	return strings.Contains(p, "/mocks/") || strings.Contains(p, "/memrepo/") || strings.Contains(p, "/blobstoretest/")
}

// openAPIErrorEnums returns, per operation ("METHOD /path") and status,
// the codes its error responses enumerate (error.code's enum).
func openAPIErrorEnums(t *testing.T, doc *openapi3.T) map[string]map[string][]string {
	t.Helper()
	out := map[string]map[string][]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for status, resp := range op.Responses.Map() {
				if status < "400" {
					continue
				}
				mt := resp.Value.Content.Get("application/json")
				if mt == nil || mt.Schema == nil {
					continue
				}
				codes := openAPICodeEnum(mt.Schema.Value)
				if codes == nil {
					continue
				}
				key := method + " " + path
				if out[key] == nil {
					out[key] = map[string][]string{}
				}
				out[key][status] = codes
			}
		}
	}
	return out
}

// openAPICodeEnum is the enum of error.code in an error schema: an allOf
// of Error and an object narrowing error.code.
func openAPICodeEnum(s *openapi3.Schema) []string {
	if s == nil {
		return nil
	}
	for _, part := range s.AllOf {
		if e := openAPICodeEnum(part.Value); e != nil {
			return e
		}
	}
	errProp := s.Properties["error"]
	if errProp == nil || errProp.Value == nil || errProp.Value.Properties["code"] == nil {
		return nil
	}
	var codes []string
	for _, v := range errProp.Value.Properties["code"].Value.Enum {
		if s, ok := v.(string); ok {
			codes = append(codes, s)
		}
	}
	return codes
}

// sourceCode is one code the source builds an error with.
type sourceCode struct {
	code, file string
	kind       error
}

var openAPIKinds = map[string]error{
	"ErrInvalid": domain.ErrInvalid, "ErrNotFound": domain.ErrNotFound, "ErrExists": domain.ErrExists,
	"ErrUnauthenticated": domain.ErrUnauthenticated, "ErrForbidden": domain.ErrForbidden,
	"ErrTooLarge": domain.ErrTooLarge, "ErrUnsupportedType": domain.ErrUnsupportedType,
	"ErrUnavailable": domain.ErrUnavailable,
}

// openAPISourceCodes parses the non-test Go files of domain, application
// and adapters and returns every error built by Errorf, errorf or Wrap with
// a kind and a code it can read (a string literal or a string constant).
func openAPISourceCodes(t *testing.T) []sourceCode {
	t.Helper()
	root := filepath.Join("..", "..")
	fset := gotoken.NewFileSet()
	var files []*ast.File
	var names []string
	for _, dir := range []string{"domain", "application", "adapters"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") ||
				openAPINotServed(p) {
				return err
			}
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				return err
			}
			files = append(files, f)
			rel, _ := filepath.Rel(root, p)
			names = append(names, filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// String constants by name (bare and package-qualified).
	consts := map[string]string{}
	for _, f := range files {
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != gotoken.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == gotoken.STRING {
							v, _ := strconv.Unquote(lit.Value)
							consts[n.Name] = v
							consts[f.Name.Name+"."+n.Name] = v
						}
					}
				}
			}
		}
	}
	var out []sourceCode
	for i, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			var fn string
			switch x := call.Fun.(type) {
			case *ast.Ident:
				fn = x.Name
			case *ast.SelectorExpr:
				fn = x.Sel.Name
			}
			if fn != "Errorf" && fn != "errorf" && fn != "Wrap" {
				return true
			}
			var kindName string
			switch x := call.Args[0].(type) {
			case *ast.Ident:
				kindName = x.Name
			case *ast.SelectorExpr:
				kindName = x.Sel.Name
			}
			kind := openAPIKinds[kindName]
			if kind == nil {
				return true
			}
			var code string
			switch x := call.Args[1].(type) {
			case *ast.BasicLit:
				code, _ = strconv.Unquote(x.Value)
			case *ast.Ident:
				code = consts[x.Name]
			case *ast.SelectorExpr:
				if pkg, ok := x.X.(*ast.Ident); ok {
					code = consts[pkg.Name+"."+x.Sel.Name]
				}
			}
			if code != "" {
				out = append(out, sourceCode{code: code, file: names[i], kind: kind})
			}
			return true
		})
	}
	if len(out) < 100 {
		t.Fatalf("the source scan found only %d error codes; it no longer reads the source", len(out))
	}
	return out
}

// openAPICodeStatus is the status the service answers code with, raised
// as kind.
func openAPICodeStatus(kind error, code string) string {
	return strconv.Itoa(statusOf(domain.Errorf(kind, code, "")))
}

func TestOpenAPIErrorCodesMatchTheSource(t *testing.T) {
	doc := openAPILoad(t)
	enums := openAPIErrorEnums(t, doc)
	src := openAPISourceCodes(t)

	// status -> code -> documented somewhere
	documented := map[string]map[string]bool{}
	for _, byStatus := range enums {
		for status, codes := range byStatus {
			for _, c := range codes {
				if documented[status] == nil {
					documented[status] = map[string]bool{}
				}
				documented[status][c] = true
			}
		}
	}
	known := map[string]map[string]bool{} // code -> statuses it is answered with
	add := func(code, status string) {
		if known[code] == nil {
			known[code] = map[string]bool{}
		}
		known[code][status] = true
	}
	for code, status := range openAPIComputedCodes {
		add(code, strconv.Itoa(status))
	}
	for _, s := range src {
		status := openAPICodeStatus(s.kind, s.code)
		if status == "500" {
			continue
		}
		add(s.code, status)
	}
	for _, code := range slices.Sorted(maps.Keys(known)) {
		if _, ok := openAPIUnansweredCodes[code]; ok {
			continue
		}
		for status := range known[code] {
			if !documented[status][code] {
				t.Errorf("code %s (status %s) is built in the source but no operation enumerates it under %s", code, status, status)
			}
		}
	}
	for code := range openAPIUnansweredCodes {
		if known[code] == nil {
			t.Errorf("openAPIUnansweredCodes lists %s, which the source no longer builds", code)
		}
	}
	for _, op := range slices.Sorted(maps.Keys(enums)) {
		for status, codes := range enums[op] {
			for _, c := range codes {
				if status == "default" {
					if c != codeInternal {
						t.Errorf("%s default enumerates %s; only %s belongs there", op, c, codeInternal)
					}
					continue
				}
				if known[c] == nil {
					t.Errorf("%s %s enumerates %s, which the source never builds", op, status, c)
				} else if !known[c][status] {
					t.Errorf("%s %s enumerates %s, which the service answers with %v", op, status, c,
						slices.Sorted(maps.Keys(known[c])))
				}
			}
		}
	}
}

// openAPIFamily is a file of the source whose codes belong to a family of
// operations.
type openAPIFamily struct {
	files []string // source files, relative to the repository root
	ops   func(doc *openapi3.T, method, path string, op *openapi3.Operation) bool
	every bool     // each code on every operation of the family (else on some)
	skip  []string // codes of those files that are not the family's
}

func openAPIBody(op *openapi3.Operation, mediaType string) bool {
	return op.RequestBody != nil && op.RequestBody.Value != nil && op.RequestBody.Value.Content.Get(mediaType) != nil
}

func openAPIHasParam(op *openapi3.Operation, in, name string) bool {
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == in && strings.EqualFold(p.Value.Name, name) {
			return true
		}
	}
	return false
}

var openAPIFamilies = map[string]openAPIFamily{
	"JSON body": {files: []string{"adapters/http/json.go"}, every: true,
		ops: func(_ *openapi3.T, _, _ string, op *openapi3.Operation) bool {
			return openAPIBody(op, "application/json")
		}},
	"form body": {files: []string{"adapters/http/form.go"}, every: true,
		ops: func(_ *openapi3.T, _, _ string, op *openapi3.Operation) bool {
			return openAPIBody(op, "multipart/form-data")
		}},
	"bearer token": {files: []string{"adapters/http/auth.go", "adapters/auth/verifier.go"}, every: true,
		ops: func(doc *openapi3.T, _, _ string, op *openapi3.Operation) bool {
			return op.Security == nil || len(*op.Security) != 0
		}},
	"Idempotency-Key": {files: []string{"adapters/http/idempotency.go", "adapters/http/idempotency_body.go", "domain/idempotency.go"}, every: true,
		ops: func(_ *openapi3.T, _, _ string, op *openapi3.Operation) bool {
			return openAPIHasParam(op, "header", "Idempotency-Key")
		}},
	"TUS": {files: []string{"adapters/http/tus.go"},
		ops: func(_ *openapi3.T, _, path string, _ *openapi3.Operation) bool {
			return strings.HasPrefix(path, "/api/storage/tus/")
		}},
	"upload capabilities": {files: []string{"adapters/http/capability.go", "adapters/http/companion.go"},
		ops: func(_ *openapi3.T, _, path string, _ *openapi3.Operation) bool {
			return strings.HasPrefix(path, "/api/storage/companion/") || path == "/api/storage/upload-capabilities"
		}},
}

func TestOpenAPIErrorCodesOfFamilies(t *testing.T) {
	doc := openAPILoad(t)
	enums := openAPIErrorEnums(t, doc)
	src := openAPISourceCodes(t)
	for name, fam := range openAPIFamilies {
		t.Run(name, func(t *testing.T) {
			type sc struct{ code, status string }
			var codes []sc
			for _, s := range src {
				if slices.Contains(fam.files, s.file) && !slices.Contains(fam.skip, s.code) {
					c := sc{s.code, openAPICodeStatus(s.kind, s.code)}
					if _, internal := openAPIUnansweredCodes[s.code]; !internal && !slices.Contains(codes, c) {
						codes = append(codes, c)
					}
				}
			}
			if len(codes) == 0 {
				t.Fatalf("no codes found in %v", fam.files)
			}
			var ops []string
			for path, item := range doc.Paths.Map() {
				for method, op := range item.Operations() {
					if method != http.MethodHead && method != http.MethodOptions && fam.ops(doc, method, path, op) {
						ops = append(ops, method+" "+path)
					}
				}
			}
			if len(ops) == 0 {
				t.Fatal("no operation is of this family")
			}
			for _, c := range codes {
				var on []string
				for _, op := range ops {
					if slices.Contains(enums[op][c.status], c.code) {
						on = append(on, op)
					}
				}
				switch {
				case fam.every && len(on) != len(ops):
					var missing []string
					for _, op := range ops {
						if !slices.Contains(on, op) {
							missing = append(missing, op)
						}
					}
					slices.Sort(missing)
					t.Errorf("%s (%s) is not enumerated by %v", c.code, c.status, missing)
				case !fam.every && len(on) == 0:
					t.Errorf("%s (%s) is enumerated by no operation of %v", c.code, c.status, ops)
				}
			}
		})
	}
}

// TestOpenAPIErrorResponsesEnumerate: every error response with a body
// enumerates its codes, and every example is one of them.
func TestOpenAPIErrorResponsesEnumerate(t *testing.T) {
	doc := openAPILoad(t)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for status, resp := range op.Responses.Map() {
				mt := resp.Value.Content.Get("application/json")
				if status < "400" || mt == nil || path == "/readyz" {
					continue
				}
				codes := openAPICodeEnum(mt.Schema.Value)
				if len(codes) == 0 {
					t.Errorf("%s %s %s: error.code has no enum", method, path, status)
					continue
				}
				for name, ex := range mt.Examples {
					code, _ := ex.Value.Value.(map[string]any)["error"].(map[string]any)["code"].(string)
					if !slices.Contains(codes, code) {
						t.Errorf("%s %s %s: example %s has code %q, not in %v", method, path, status, name, code, codes)
					}
				}
			}
		}
	}
}
