package httpapi

import (
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// What a client generated with openapi-typescript's default options needs
// of the document (clients/typescript is one; e2e TestTypeScriptClient
// runs it).

// openAPIWalkSchema calls fn on s and every schema inside it, following
// $refs once each.
func openAPIWalkSchema(ref *openapi3.SchemaRef, where string, seen map[*openapi3.Schema]bool, fn func(where string, s *openapi3.Schema)) {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return
	}
	s := ref.Value
	seen[s] = true
	fn(where, s)
	for name, p := range s.Properties {
		openAPIWalkSchema(p, where+"."+name, seen, fn)
	}
	for _, list := range [][]*openapi3.SchemaRef{s.AllOf, s.AnyOf, s.OneOf} {
		for _, sub := range list {
			openAPIWalkSchema(sub, where, seen, fn)
		}
	}
	openAPIWalkSchema(s.Items, where+"[]", seen, fn)
}

// TestOpenAPIRequestDefaultsAreOptional: openapi-typescript (by default)
// types a property with a `default` as always present, which a request
// field the server defaults is not; request schemas say their defaults in
// the description instead, and such fields are not required.
func TestOpenAPIRequestDefaultsAreOptional(t *testing.T) {
	doc := openAPILoad(t)
	n := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil {
				continue
			}
			for mt, c := range op.RequestBody.Value.Content {
				openAPIWalkSchema(c.Schema, method+" "+path+" "+mt, map[*openapi3.Schema]bool{}, func(where string, s *openapi3.Schema) {
					n++
					if s.Default != nil {
						t.Errorf("%s has default %v: a generated client would require it; say it in the description", where, s.Default)
					}
				})
			}
		}
	}
	if n < 50 {
		t.Fatalf("walked only %d request schemas", n)
	}
}

// TestOpenAPIFileFieldsAreBinary: the file of every form is a binary
// string, and every raw body too.
func TestOpenAPIFileFieldsAreBinary(t *testing.T) {
	doc := openAPILoad(t)
	forms := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil {
				continue
			}
			for mt, c := range op.RequestBody.Value.Content {
				s := c.Schema.Value
				switch {
				case mt == "multipart/form-data":
					forms++
					f := s.Properties[fileField]
					if f == nil || !f.Value.Type.Is("string") || f.Value.Format != "binary" {
						t.Errorf("%s %s: the form's %q is not {type: string, format: binary}", method, path, fileField)
					}
				case mt != "application/json":
					if !s.Type.Is("string") || s.Format != "binary" {
						t.Errorf("%s %s: the %s body is not {type: string, format: binary}", method, path, mt)
					}
				}
			}
		}
	}
	if forms != 4 {
		t.Errorf("found %d upload forms, want 4 (upload, receipt, app zip, companion)", forms)
	}
}

func TestOpenAPIServersAndBlobTypes(t *testing.T) {
	doc := openAPILoad(t)
	if len(doc.Servers) == 0 || !strings.HasPrefix(doc.Servers[0].URL, "http") {
		t.Errorf("servers = %v, want an absolute entry for generated clients", doc.Servers)
	}
	blob := doc.Paths.Find("/api/storage/blob").Get
	for _, status := range []string{"200", "206"} {
		c := blob.Responses.Value(status).Value.Content
		if len(c) != 1 || c.Get("*/*") == nil {
			t.Errorf("blob %s is served with the file's own type; its content must be */*, got %v", status, c)
		}
	}
	// The metadata routes have a form whose file_path is a query parameter.
	item := doc.Paths.Find("/api/storage/metadata")
	for _, op := range []*openapi3.Operation{item.Get, item.Head} {
		if op == nil || op.Parameters.GetByInAndName("query", "file_path") == nil ||
			!op.Parameters.GetByInAndName("query", "file_path").Required {
			t.Error("/api/storage/metadata needs GET and HEAD with a required file_path query parameter")
		}
	}
}
