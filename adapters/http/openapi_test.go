package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"storagegw/domain"
)

// openAPIRouteContract is what the OpenAPI document must say about each route:
// the routes themselves are the contract DescribedRoutes returns, and the
// router must register exactly these.
type openAPIRouteContract struct {
	statuses []string          // every documented response status
	public   bool              // no bearer token
	perm     domain.Permission // the permission whose roles x-roles lists ("" for public routes)
	// errorSchema is the schema of the error responses when it is not
	// Error (/readyz answers 503 with its own report).
	errorSchema string
}

var openAPIContract = map[Route]openAPIRouteContract{
	{"GET", "/healthz"}:                           {statuses: []string{"200"}, public: true},
	{"GET", "/readyz"}:                            {statuses: []string{"200", "503"}, public: true, errorSchema: "Readiness"},
	{"GET", "/metrics"}:                           {statuses: []string{"200"}, public: true},
	{"POST", "/api/storage/restore"}:              {statuses: []string{"200", "400", "401", "403", "404", "409", "413", "422", "429", "503", "507", "default"}, perm: domain.PermRestore},
	{"GET", "/api/storage/openapi.json"}:          {statuses: []string{"200", "429"}, public: true},
	{"GET", "/api/storage/blob"}:                  {statuses: []string{"200", "206", "302", "403", "404", "410", "416", "429", "503", "default"}, public: true},
	{"POST", "/api/storage/upload"}:               {statuses: []string{"201", "400", "401", "403", "408", "409", "413", "415", "422", "429", "503", "507", "default"}, perm: domain.PermUpload},
	{"POST", "/api/storage/receipt-upload"}:       {statuses: []string{"201", "400", "401", "403", "408", "409", "413", "415", "422", "429", "503", "507", "default"}, perm: domain.PermUpload},
	{"POST", "/api/storage/app-zip-upload"}:       {statuses: []string{"201", "400", "401", "403", "408", "409", "413", "415", "422", "429", "503", "507", "default"}, perm: domain.PermUpload},
	{"POST", "/api/storage/signed-url"}:           {statuses: []string{"200", "400", "401", "403", "404", "413", "429", "503", "default"}, perm: domain.PermSignURL},
	{"DELETE", "/api/storage/links/:link_id"}:     {statuses: []string{"200", "400", "401", "403", "404", "409", "413", "422", "429", "503", "default"}, perm: domain.PermRevokeLink},
	{"POST", "/api/storage/links/revoke"}:         {statuses: []string{"200", "400", "401", "403", "404", "409", "413", "422", "429", "503", "default"}, perm: domain.PermRevokeLink},
	{"GET", "/api/storage/links"}:                 {statuses: []string{"200", "400", "401", "403", "404", "429", "503", "default"}, perm: domain.PermRevokeLink},
	{"DELETE", "/api/storage/delete"}:             {statuses: []string{"200", "400", "401", "403", "404", "409", "413", "422", "429", "503", "507", "default"}, perm: domain.PermSoftDelete},
	{"GET", "/api/storage/metadata/*file_path"}:   {statuses: []string{"200", "400", "401", "403", "404", "429", "503", "default"}, perm: domain.PermReadMetadata},
	{"HEAD", "/api/storage/metadata/*file_path"}:  {statuses: []string{"200", "400", "401", "403", "404", "429", "503", "default"}, perm: domain.PermReadMetadata},
	{"GET", "/api/storage/metadata"}:              {statuses: []string{"200", "400", "401", "403", "404", "429", "503", "default"}, perm: domain.PermReadMetadata},
	{"GET", "/api/storage/versions/*file_path"}:   {statuses: []string{"200", "400", "401", "403", "404", "429", "503", "default"}, perm: domain.PermReadMetadata},
	{"GET", "/api/storage/versions"}:              {statuses: []string{"200", "400", "401", "403", "404", "429", "503", "default"}, perm: domain.PermReadMetadata},
	{"POST", "/api/storage/versions/restore"}:     {statuses: []string{"200", "400", "401", "403", "404", "409", "413", "422", "429", "503", "507", "default"}, perm: domain.PermOverwrite},
	{"HEAD", "/api/storage/metadata"}:             {statuses: []string{"200", "400", "401", "403", "404", "429", "503", "default"}, perm: domain.PermReadMetadata},
	{"GET", "/api/storage/files"}:                 {statuses: []string{"200", "400", "401", "403", "429", "503", "default"}, perm: domain.PermList},
	{"GET", "/api/storage/audit-logs"}:            {statuses: []string{"200", "400", "401", "403", "429", "503", "default"}, perm: domain.PermReadAudit},
	{"GET", "/api/storage/audit-logs/checkpoint"}: {statuses: []string{"200", "401", "403", "404", "429", "503", "default"}, perm: domain.PermReadAudit},
	{"GET", "/api/storage/usage"}:                 {statuses: []string{"200", "401", "403", "429", "503", "default"}, perm: domain.PermReadUsage},
	{"POST", "/api/storage/legal-holds"}:          {statuses: []string{"201", "400", "401", "403", "404", "409", "413", "422", "429", "503", "default"}, perm: domain.PermLegalHold},
	{"POST", "/api/storage/legal-holds/clear"}:    {statuses: []string{"200", "400", "401", "403", "404", "409", "413", "422", "429", "503", "default"}, perm: domain.PermLegalHold},
	{"GET", "/api/storage/legal-holds"}:           {statuses: []string{"200", "400", "401", "403", "429", "503", "default"}, perm: domain.PermReadHolds},
	{"POST", "/api/storage/multipart/initiate"}:   {statuses: []string{"201", "400", "401", "403", "409", "413", "415", "422", "429", "503", "507", "default"}, perm: domain.PermUpload},
	{"POST", "/api/storage/multipart/parts"}:      {statuses: []string{"200", "400", "401", "403", "404", "409", "413", "429", "503", "default"}, perm: domain.PermUpload},
	{"POST", "/api/storage/multipart/complete"}:   {statuses: []string{"201", "400", "401", "403", "404", "409", "413", "415", "422", "429", "503", "507", "default"}, perm: domain.PermUpload},
	{"POST", "/api/storage/multipart/abort"}:      {statuses: []string{"200", "400", "401", "403", "404", "409", "413", "422", "429", "503", "default"}, perm: domain.PermUpload},
	{"PUT", "/api/storage/multipart/part"}:        {statuses: []string{"200", "400", "403", "404", "408", "413", "429", "503", "507", "default"}, public: true},
	{"OPTIONS", "/api/storage/tus/"}:              {statuses: []string{"204", "429"}, public: true},
	{"POST", "/api/storage/tus/"}:                 {statuses: []string{"201", "400", "401", "403", "408", "409", "412", "413", "415", "422", "429", "503", "507", "default"}, perm: domain.PermUpload},
	{"OPTIONS", "/api/storage/tus/:id"}:           {statuses: []string{"204", "429"}, public: true},
	{"HEAD", "/api/storage/tus/:id"}:              {statuses: []string{"200", "401", "403", "404", "429", "503", "default"}, perm: domain.PermUpload},
	{"PATCH", "/api/storage/tus/:id"}:             {statuses: []string{"204", "400", "401", "403", "404", "408", "409", "412", "413", "415", "429", "503", "507", "default"}, perm: domain.PermUpload},
	{"DELETE", "/api/storage/tus/:id"}:            {statuses: []string{"204", "401", "403", "404", "409", "412", "429", "503", "default"}, perm: domain.PermUpload},
	// Listing a session's parts, and upload capabilities with the
	// Companion-compatible routes that redeem them (Uppy).
	{"GET", "/api/storage/multipart/uploaded-parts"}:                                {statuses: []string{"200", "400", "401", "403", "404", "409", "429", "503", "default"}, perm: domain.PermUpload},
	{"POST", "/api/storage/upload-capabilities"}:                                    {statuses: []string{"200", "400", "401", "403", "413", "415", "429", "503", "default"}, perm: domain.PermUpload},
	{"GET", "/api/storage/companion/:capability/s3/params"}:                         {statuses: []string{"200", "400", "403", "429", "503", "default"}, public: true},
	{"POST", "/api/storage/companion/:capability/s3/upload"}:                        {statuses: []string{"201", "400", "403", "408", "409", "413", "415", "429", "503", "507", "default"}, public: true},
	{"POST", "/api/storage/companion/:capability/s3/multipart"}:                     {statuses: []string{"200", "400", "403", "409", "413", "415", "429", "503", "507", "default"}, public: true},
	{"GET", "/api/storage/companion/:capability/s3/multipart/:upload_id"}:           {statuses: []string{"200", "400", "403", "404", "409", "429", "503", "default"}, public: true},
	{"DELETE", "/api/storage/companion/:capability/s3/multipart/:upload_id"}:        {statuses: []string{"200", "400", "403", "404", "409", "429", "503", "default"}, public: true},
	{"GET", "/api/storage/companion/:capability/s3/multipart/:upload_id/:part"}:     {statuses: []string{"200", "400", "403", "404", "409", "429", "503", "default"}, public: true},
	{"POST", "/api/storage/companion/:capability/s3/multipart/:upload_id/complete"}: {statuses: []string{"200", "400", "403", "404", "409", "413", "415", "429", "503", "507", "default"}, public: true},
}

// openAPIExpectedRoutes is the contract's route list, sorted like DescribedRoutes.
func openAPIExpectedRoutes() []Route {
	routes := slices.Collect(maps.Keys(openAPIContract))
	slices.SortFunc(routes, func(a, b Route) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Method, b.Method)
	})
	return routes
}

func openAPILoad(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(OpenAPIJSON())
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	return doc
}

// openAPIPath turns a Gin path back into the document's template.
func openAPIPath(ginPath string) string {
	segs := strings.Split(ginPath, "/")
	for i, s := range segs {
		if len(s) > 1 && (s[0] == ':' || s[0] == '*') {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}

func TestOpenAPIDocumentValidates(t *testing.T) {
	doc := openAPILoad(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi = %q, want 3.x", doc.OpenAPI)
	}
	// Validate checks structure, $refs, path parameters against templates,
	// and every example and default against its schema.
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3 document: %v", err)
	}
}

func TestOpenAPIIsPrettyPrintedJSON(t *testing.T) {
	raw := OpenAPIJSON()
	if !json.Valid(raw) {
		t.Fatal("openapi.json is not valid JSON")
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(buf.Bytes()), bytes.TrimSpace(raw)) {
		t.Error("openapi.json is not pretty-printed with two-space indents (json.Indent changes it)")
	}
	raw[0] = 'X'
	if OpenAPIJSON()[0] != '{' {
		t.Error("OpenAPIJSON returned the embedded slice itself; callers could corrupt it")
	}
}

// TestOpenAPIRefsResolve walks the raw JSON: every $ref is a local JSON
// pointer to something that exists, and every component is used.
func TestOpenAPIRefsResolve(t *testing.T) {
	var root any
	if err := json.Unmarshal(OpenAPIJSON(), &root); err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if _, err := openAPIResolvePointer(root, ref); err != nil {
					t.Errorf("%s: $ref %q: %v", where, ref, err)
				}
				used[ref] = true
			}
			for k, child := range v {
				walk(where+"/"+k, child)
			}
		case []any:
			for i, child := range v {
				walk(where+"/"+strconv.Itoa(i), child)
			}
		}
	}
	walk("#", root)
	if len(used) == 0 {
		t.Fatal("no $ref found at all")
	}
	components, _ := root.(map[string]any)["components"].(map[string]any)
	for kind, group := range components {
		if kind == "securitySchemes" { // used by name in security requirements
			continue
		}
		for name := range group.(map[string]any) {
			if ref := "#/components/" + kind + "/" + name; !used[ref] {
				t.Errorf("component %s is never referenced", ref)
			}
		}
	}
}

func openAPIResolvePointer(root any, ref string) (any, error) {
	ptr, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("not a local reference")
	}
	cur := root
	for _, tok := range strings.Split(ptr, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%q is not inside an object", tok)
		}
		if cur, ok = m[tok]; !ok {
			return nil, fmt.Errorf("no %q", tok)
		}
	}
	return cur, nil
}

func TestDescribedRoutes(t *testing.T) {
	got := DescribedRoutes()
	want := openAPIExpectedRoutes()
	if !slices.Equal(got, want) {
		t.Errorf("DescribedRoutes() =\n%v\nwant\n%v", got, want)
	}
	if !slices.IsSortedFunc(got, func(a, b Route) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Method, b.Method)
	}) {
		t.Error("DescribedRoutes is not sorted by path, then method")
	}
	got[0].Path = "/mutated"
	if DescribedRoutes()[0].Path == "/mutated" {
		t.Error("DescribedRoutes shares its slice with callers")
	}
}

func TestDescribedRoutesParsesTemplates(t *testing.T) {
	doc := func(path, params string) []byte {
		return []byte(`{"paths": {"` + path + `": {"parameters": [` + params + `], "get": {}, "head": {}}},
			"components": {"parameters": {"Rest": {"name": "rest", "in": "path", "x-multi-segment": true}}}}`)
	}
	for _, tc := range []struct {
		path, params, want string
	}{
		{"/a/{id}/b/{name}", ``, "/a/:id/b/:name"},
		{"/files/{rest}", `{"$ref": "#/components/parameters/Rest"}`, "/files/*rest"},
		{"/files/{id}/{rest}", `{"name": "rest", "in": "path", "x-multi-segment": true}`, "/files/:id/*rest"},
	} {
		routes, err := openAPIRoutesOf(doc(tc.path, tc.params))
		if err != nil {
			t.Errorf("%s: %v", tc.path, err)
			continue
		}
		if want := []Route{{"GET", tc.want}, {"HEAD", tc.want}}; !slices.Equal(routes, want) {
			t.Errorf("%s: got %v, want %v", tc.path, routes, want)
		}
	}
	for _, tc := range []struct{ path, params string }{
		{"/files/{rest}/more", `{"$ref": "#/components/parameters/Rest"}`}, // catch-all not last
		{"/files/{rest}", `{"$ref": "#/components/parameters/Missing"}`},   // dangling ref
		{"/files/x{id}", ``}, // text and parameter in one segment
		{"/files/{id", ``},   // unclosed
		{"files/{id}", ``},   // relative
	} {
		if routes, err := openAPIRoutesOf(doc(tc.path, tc.params)); err == nil {
			t.Errorf("%s: openAPIRoutesOf = %v, want an error", tc.path, routes)
		}
	}
	if _, err := openAPIRoutesOf([]byte(`{"paths": [`)); err == nil {
		t.Error("malformed JSON: want an error")
	}
}

var openAPISnakeCase = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func TestOpenAPIOperations(t *testing.T) {
	doc := openAPILoad(t)
	if len(doc.Security) != 1 || doc.Security[0]["bearerAuth"] == nil {
		t.Fatalf("global security = %v, want bearerAuth", doc.Security)
	}
	if s := doc.Components.SecuritySchemes["bearerAuth"]; s == nil || s.Value.Type != "http" ||
		s.Value.Scheme != "bearer" || s.Value.BearerFormat != "JWT" {
		t.Fatal("components.securitySchemes.bearerAuth must be an http bearer JWT scheme")
	}
	ids := map[string]Route{}
	for _, r := range openAPIExpectedRoutes() {
		c := openAPIContract[r]
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			item := doc.Paths.Find(openAPIPath(r.Path))
			if item == nil {
				t.Fatalf("path %s is not described", openAPIPath(r.Path))
			}
			op := item.GetOperation(r.Method)
			if op == nil {
				t.Fatalf("%s is not described", r.Method)
			}
			if op.OperationID == "" || op.Summary == "" || op.Description == "" {
				t.Errorf("operationId %q, summary %q: each needs an operationId, a summary and a description",
					op.OperationID, op.Summary)
			}
			if prev, dup := ids[op.OperationID]; dup {
				t.Errorf("operationId %q also used by %v", op.OperationID, prev)
			}
			ids[op.OperationID] = r

			// Path parameters and the template agree, both ways.
			var declared []string
			for _, p := range slices.Concat(item.Parameters, op.Parameters) {
				if p.Value != nil && p.Value.In == openapi3.ParameterInPath {
					declared = append(declared, p.Value.Name)
				}
			}
			var inTemplate []string
			for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(openAPIPath(r.Path), -1) {
				inTemplate = append(inTemplate, m[1])
			}
			slices.Sort(declared)
			slices.Sort(inTemplate)
			if !slices.Equal(declared, inTemplate) {
				t.Errorf("path parameters %v, template has %v", declared, inTemplate)
			}

			statuses := slices.Sorted(maps.Keys(op.Responses.Map()))
			if want := slices.Sorted(slices.Values(c.statuses)); !slices.Equal(statuses, want) {
				t.Errorf("responses %v, want %v", statuses, want)
			}

			// Public routes opt out of the global bearer requirement;
			// every other route keeps it and lists its roles.
			public := op.Security != nil && len(*op.Security) == 0
			if public != c.public {
				t.Errorf("public = %v, want %v", public, c.public)
			}
			if !c.public {
				var roles []string
				if raw, ok := op.Extensions["x-roles"]; !ok {
					t.Error("no x-roles")
				} else if b, err := json.Marshal(raw); err != nil || json.Unmarshal(b, &roles) != nil {
					t.Errorf("x-roles %v is not a list of strings", raw)
				}
				var want []string
				for _, role := range domain.Roles() {
					if role.Can(c.perm) {
						want = append(want, string(role))
						if !strings.Contains(op.Description, "`"+string(role)+"`") {
							t.Errorf("description does not name role %s", role)
						}
					}
				}
				if !slices.Equal(roles, want) {
					t.Errorf("x-roles = %v, want %v (domain policy for %s)", roles, want, c.perm)
				}
			}

			// Every error response with a body is the Error shape, and its
			// examples carry snake_case codes.
			for status, resp := range op.Responses.Map() {
				if status < "400" && status != "default" {
					continue
				}
				if r.Method == http.MethodHead {
					if len(resp.Value.Content) != 0 {
						t.Errorf("%s: a HEAD response has no body", status)
					}
					continue
				}
				mt := resp.Value.Content.Get("application/json")
				if c.errorSchema != "" {
					if mt == nil || mt.Schema == nil || mt.Schema.Ref != "#/components/schemas/"+c.errorSchema {
						t.Errorf("%s: error response is not application/json %s", status, c.errorSchema)
					}
					continue
				}
				if mt == nil || mt.Schema == nil || mt.Schema.Value == nil || len(mt.Schema.Value.AllOf) != 2 ||
					mt.Schema.Value.AllOf[0].Ref != "#/components/schemas/Error" || len(openAPICodeEnum(mt.Schema.Value)) == 0 {
					t.Errorf("%s: error response is not application/json Error narrowed to an enum of codes", status)
					continue
				}
				if len(mt.Examples) == 0 {
					t.Errorf("%s: error response has no example codes", status)
				}
				for name, ex := range mt.Examples {
					b, _ := json.Marshal(ex.Value.Value)
					var e struct {
						Error struct{ Code, Message string } `json:"error"`
					}
					if err := json.Unmarshal(b, &e); err != nil || !openAPISnakeCase.MatchString(e.Error.Code) || e.Error.Message == "" {
						t.Errorf("%s: example %s is not {error: {code, message}} with a snake_case code: %s", status, name, b)
					}
				}
			}
		})
	}
	// Nothing described beyond the contract.
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			found := false
			for r := range openAPIContract {
				if r.Method == method && openAPIPath(r.Path) == path {
					found = true
				}
			}
			if !found {
				t.Errorf("%s %s is described but not in the contract", method, path)
			}
		}
	}
}

// TestOpenAPIErrorCodesByStatus pins the example codes of the statuses
// whose codes are fixed across endpoints.
func TestOpenAPIErrorCodesByStatus(t *testing.T) {
	doc := openAPILoad(t)
	want := map[string][]string{
		"Unauthorized": {"token_expired", "token_invalid", "token_missing"},
		"Forbidden":    {"forbidden", "unknown_role"},
		"NotFound":     {"not_found"},
	}
	for name, codes := range want {
		resp := doc.Components.Responses[name]
		if resp == nil {
			t.Errorf("no components.responses.%s", name)
			continue
		}
		var got []string
		for _, ex := range resp.Value.Content.Get("application/json").Examples {
			got = append(got, ex.Value.Value.(map[string]any)["error"].(map[string]any)["code"].(string))
		}
		slices.Sort(got)
		if !slices.Equal(got, codes) {
			t.Errorf("%s codes = %v, want %v", name, got, codes)
		}
	}
}

func openAPISchemaProps(t *testing.T, doc *openapi3.T, name string) (props, required []string) {
	t.Helper()
	ref := doc.Components.Schemas[name]
	if ref == nil || ref.Value == nil {
		t.Fatalf("no components.schemas.%s", name)
	}
	return slices.Sorted(maps.Keys(ref.Value.Properties)), slices.Sorted(slices.Values(ref.Value.Required))
}

// openAPISchemaAdds are the fields the service adds to SPEC's answers:
// the signed URL's link (issue 15, revocable links).
var openAPISchemaAdds = map[string]struct{ required, optional []string }{
	"SignedURL": {required: []string{"link_id", "link_mode"}, optional: []string{"max_uses"}},
	// A record's legal hold, in the answers that look holds up.
	"FileRecord": {optional: []string{"legal_hold"}},
}

func TestOpenAPISchemasMatchSPEC(t *testing.T) {
	doc := openAPILoad(t)
	// SPEC §4 "The file record in JSON", §2, §4's signed URL and delete
	// answers, and the error envelope.
	for name, fields := range map[string][]string{
		"FileRecord": {"file_path", "org_id", "system", "object_type", "object_id", "filename",
			"original_filename", "content_type", "size_bytes", "sha256", "uploaded_by",
			"created_at", "updated_at", "deleted", "deleted_at", "deleted_by"},
		"AuditEvent": {"id", "timestamp", "user_id", "user_role", "org_id", "ip_address", "user_agent",
			"action_type", "file_path", "related_object_type", "related_object_id", "metadata",
			"success", "error_message"},
		"SignedURL":        {"url", "expires_at", "expires_in"},
		"HardDeleteResult": {"file_path", "deleted"},
		"FilePage":         {"items", "next_cursor"},
		"AuditPage":        {"items", "next_cursor"},
		"Error":            {"error"},
	} {
		props, required := openAPISchemaProps(t, doc, name)
		want := slices.Sorted(slices.Values(append(fields, openAPISchemaAdds[name].required...)))
		all := slices.Sorted(slices.Values(append(append([]string{}, want...), openAPISchemaAdds[name].optional...)))
		if !slices.Equal(props, all) {
			t.Errorf("%s properties = %v, want exactly %v", name, props, all)
		}
		if !slices.Equal(required, want) {
			t.Errorf("%s required = %v, want %v", name, required, want)
		}
	}
	fr := doc.Components.Schemas["FileRecord"].Value
	for _, f := range []string{"deleted_at", "deleted_by"} {
		if !fr.Properties[f].Value.Nullable {
			t.Errorf("FileRecord.%s must be nullable", f)
		}
	}
	if !doc.Components.Schemas["AuditEvent"].Value.Properties["error_message"].Value.Nullable {
		t.Error("AuditEvent.error_message must be nullable (null on success)")
	}
	if hd := doc.Components.Schemas["HardDeleteResult"].Value.Properties["deleted"].Value; len(hd.Enum) != 1 || hd.Enum[0] != "hard" {
		t.Errorf(`HardDeleteResult.deleted must be the constant "hard", got %v`, hd.Enum)
	}
	errProps := doc.Components.Schemas["Error"].Value.Properties["error"].Value
	if got := slices.Sorted(maps.Keys(errProps.Properties)); !slices.Equal(got, []string{"code", "message"}) {
		t.Errorf("Error.error properties = %v, want [code message]", got)
	}
	// Enums follow the domain's tables.
	var systems, types, actions []any
	for _, s := range domain.Systems() {
		systems = append(systems, string(s))
		for _, ot := range domain.ObjectTypes(s) {
			types = append(types, string(ot))
		}
	}
	for _, a := range domain.Actions() {
		actions = append(actions, string(a))
	}
	for name, want := range map[string][]any{"System": systems, "ObjectType": types, "ActionType": actions} {
		if got := doc.Components.Schemas[name].Value.Enum; !slices.Equal(got, want) {
			t.Errorf("%s enum = %v, want %v", name, got, want)
		}
	}
	sig := doc.Components.Schemas["SignedURLRequest"].Value.Properties["expires_in"].Value
	if sig.Min == nil || *sig.Min != domain.MinSignedURLExpiry.Seconds() || sig.Max == nil || *sig.Max != domain.MaxSignedURLExpiry.Seconds() {
		t.Errorf("SignedURLRequest.expires_in bounds do not match domain's %v-%v", domain.MinSignedURLExpiry, domain.MaxSignedURLExpiry)
	}
}

// TestOpenAPIMultipartFieldsPrecedeFile checks each upload form lists its
// text fields before `file`, the order clients must send them in.
func TestOpenAPIMultipartFieldsPrecedeFile(t *testing.T) {
	var raw struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(OpenAPIJSON(), &raw); err != nil {
		t.Fatal(err)
	}
	for name, wantFields := range map[string][]string{
		"UploadForm":        {"system", "object_type", "object_id", "add_timestamp", "overwrite", "file"},
		"ReceiptUploadForm": {"object_id", "file"},
		"AppZipUploadForm":  {"object_id", "object_type", "overwrite", "file"},
	} {
		var s struct {
			Properties json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(raw.Components.Schemas[name], &s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		dec := json.NewDecoder(bytes.NewReader(s.Properties))
		var order []string
		if _, err := dec.Token(); err != nil { // {
			t.Fatalf("%s: %v", name, err)
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			order = append(order, tok.(string))
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(order, wantFields) {
			t.Errorf("%s fields in order %v, want %v (file last)", name, order, wantFields)
		}
	}
}
