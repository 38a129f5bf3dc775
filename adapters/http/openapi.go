package httpapi

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// openAPIDocument is the OpenAPI 3 description of the REST API, served at
// GET /api/storage/openapi.json. It is the contract frontend modules are
// written against; openapi_test.go validates it and pins its routes.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIJSON returns the OpenAPI 3 document (JSON) describing the API. The
// caller may keep or modify the slice; it is a copy.
func OpenAPIJSON() []byte { return bytes.Clone(openAPIDocument) }

// Route is one method and path as Gin registers it, e.g. {GET
// /api/storage/metadata/*file_path}.
type Route struct {
	Method string // upper case: GET, HEAD, POST, ...
	Path   string // Gin syntax: ":param" for one segment, "*param" for the rest
}

// multiSegmentExt marks a path parameter whose value spans several path
// segments; it becomes a Gin catch-all ("*name") and must end the path.
const multiSegmentExt = "x-multi-segment"

var describedRoutes = sync.OnceValues(func() ([]Route, error) {
	return openAPIRoutesOf(openAPIDocument)
})

// DescribedRoutes returns every method and path the embedded OpenAPI
// document describes, in Gin syntax, sorted by path then method. It is
// derived from the document itself, so a test can compare it with the
// routes the router registers. It panics if the embedded document does not
// parse (a build defect that openapi_test.go catches).
func DescribedRoutes() []Route {
	routes, err := describedRoutes()
	if err != nil {
		panic(fmt.Sprintf("httpapi: embedded openapi.json: %v", err))
	}
	return slices.Clone(routes)
}

// The subset of an OpenAPI document openAPIRoutesOf reads.
type (
	oasDocument struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]oasParameter `json:"parameters"`
		} `json:"components"`
	}
	oasOperation struct {
		Parameters []oasParameter `json:"parameters"`
	}
	oasParameter struct {
		Ref          string `json:"$ref"`
		Name         string `json:"name"`
		In           string `json:"in"`
		MultiSegment bool   `json:"x-multi-segment"`
	}
)

// openAPIMethods are the operation keys of an OpenAPI path item.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// openAPIRoutesOf lists the operations of an OpenAPI document as Gin routes.
func openAPIRoutesOf(doc []byte) ([]Route, error) {
	var d oasDocument
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	resolve := func(p oasParameter) (oasParameter, error) {
		if p.Ref == "" {
			return p, nil
		}
		name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/")
		target, found := d.Components.Parameters[name]
		if !ok || !found || target.Ref != "" {
			return oasParameter{}, fmt.Errorf("unresolvable parameter reference %q", p.Ref)
		}
		return target, nil
	}
	var routes []Route
	for path, item := range d.Paths {
		if !strings.HasPrefix(path, "/") {
			return nil, fmt.Errorf("path %q does not start with /", path)
		}
		// Path-level parameters apply to every operation of the item.
		var shared []oasParameter
		if raw, ok := item["parameters"]; ok {
			if err := json.Unmarshal(raw, &shared); err != nil {
				return nil, fmt.Errorf("%s parameters: %w", path, err)
			}
		}
		for _, method := range openAPIMethods {
			raw, ok := item[method]
			if !ok {
				continue
			}
			var op oasOperation
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, fmt.Errorf("%s %s: %w", method, path, err)
			}
			multi := map[string]bool{}
			for _, p := range slices.Concat(shared, op.Parameters) {
				p, err := resolve(p)
				if err != nil {
					return nil, fmt.Errorf("%s %s: %w", method, path, err)
				}
				if p.In == "path" && p.MultiSegment {
					multi[p.Name] = true
				}
			}
			ginPath, err := openAPIGinPath(path, multi)
			if err != nil {
				return nil, err
			}
			routes = append(routes, Route{Method: strings.ToUpper(method), Path: ginPath})
		}
	}
	slices.SortFunc(routes, func(a, b Route) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Method, b.Method)
	})
	return routes, nil
}

// openAPIGinPath turns an OpenAPI path template into Gin syntax: "{name}" is
// ":name", or "*name" when the parameter spans several segments (which
// only the last segment may).
func openAPIGinPath(path string, multi map[string]bool) (string, error) {
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		name, ok := strings.CutPrefix(seg, "{")
		if !ok {
			if strings.ContainsAny(seg, "{}:*") {
				return "", fmt.Errorf("path %q: segment %q mixes text and a parameter", path, seg)
			}
			continue
		}
		name, ok = strings.CutSuffix(name, "}")
		if !ok || name == "" || strings.ContainsAny(name, "{}") {
			return "", fmt.Errorf("path %q: malformed parameter segment %q", path, seg)
		}
		if multi[name] {
			if i != len(segs)-1 {
				return "", fmt.Errorf("path %q: multi-segment parameter %q must end the path", path, name)
			}
			segs[i] = "*" + name
		} else {
			segs[i] = ":" + name
		}
	}
	return strings.Join(segs, "/"), nil
}
