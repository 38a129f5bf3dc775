package httpapi

import (
	"net/http"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// openAPIPathCodes are the 400 codes of a file path the caller names
// (domain.ParseStoragePath through parseOwn): every operation that parses
// one enumerates them.
var openAPIPathCodes = []string{"invalid_path", "invalid_system", "invalid_object_type"}

// openAPIPathNotParsed are the operations with a file_path that do not
// parse it as a path, each with the reason.
var openAPIPathNotParsed = map[string]string{
	"GET /api/storage/audit-logs": "file_path is a filter matched as text: a bad one matches nothing",
}

// TestOpenAPIFilePathCodes: an operation that takes a file_path (a path
// or query parameter, or a member of its JSON body) enumerates the codes
// a bad path is answered with. HEAD answers carry no body.
func TestOpenAPIFilePathCodes(t *testing.T) {
	doc := openAPILoad(t)
	enums := openAPIErrorEnums(t, doc)
	n := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			if method == http.MethodHead || openAPIPathNotParsed[name] != "" || !openAPITakesFilePath(op) {
				continue
			}
			n++
			for _, code := range openAPIPathCodes {
				if !slices.Contains(enums[name]["400"], code) {
					t.Errorf("%s takes a file_path but its 400 does not enumerate %s", name, code)
				}
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d operations take a file_path: the test finds too few", n)
	}
}

func openAPITakesFilePath(op *openapi3.Operation) bool {
	if openAPIHasParam(op, "path", "file_path") || openAPIHasParam(op, "query", "file_path") {
		return true
	}
	if !openAPIBody(op, "application/json") {
		return false
	}
	return openAPISchemaHas(op.RequestBody.Value.Content.Get("application/json").Schema, "file_path")
}

func openAPISchemaHas(ref *openapi3.SchemaRef, prop string) bool {
	if ref == nil || ref.Value == nil {
		return false
	}
	if _, ok := ref.Value.Properties[prop]; ok {
		return true
	}
	for _, s := range append(append(ref.Value.AllOf, ref.Value.OneOf...), ref.Value.AnyOf...) {
		if openAPISchemaHas(s, prop) {
			return true
		}
	}
	return false
}
