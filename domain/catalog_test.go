package domain_test

import (
	"slices"
	"testing"

	"storagegw/domain"
)

func TestCatalog(t *testing.T) {
	t.Parallel()
	want := map[domain.System][]domain.ObjectType{
		"workspace":      {"doc", "sheet", "slide", "pdf"},
		"accounting":     {"receipt", "invoice", "export"},
		"communications": {"email-attachment", "message-attachment"},
		"app-builder":    {"source", "build"},
	}
	if got := domain.Systems(); len(got) != len(want) {
		t.Errorf("Systems() = %v, want the %d of SPEC §1", got, len(want))
	}
	for _, s := range domain.Systems() {
		if got := domain.ObjectTypes(s); !slices.Equal(got, want[s]) {
			t.Errorf("ObjectTypes(%s) = %v, want %v", s, got, want[s])
		}
	}
	if got := domain.ObjectTypes("hr"); got != nil {
		t.Errorf("ObjectTypes(hr) = %v, want nil", got)
	}
	types := domain.ObjectTypes(domain.SystemWorkspace)
	types[0] = "hacked"
	if domain.ObjectTypes(domain.SystemWorkspace)[0] != domain.TypeDoc {
		t.Errorf("changing ObjectTypes' result changed the catalog")
	}
}

func TestParseKind(t *testing.T) {
	t.Parallel()
	for _, k := range domain.Kinds() {
		got, err := domain.ParseKind(string(k.System), string(k.ObjectType))
		if err != nil || got != k {
			t.Errorf("ParseKind(%s) = %v, %v, want %v, nil", k, got, err, k)
		}
		if got.String() != string(k.System)+"/"+string(k.ObjectType) {
			t.Errorf("String() = %q, want system/type", got.String())
		}
	}
	tests := []struct {
		name, system, objectType, code string
	}{
		{"unknown system", "hr", "doc", "invalid_system"},
		{"empty system", "", "doc", "invalid_system"},
		{"upper-case system", "WORKSPACE", "doc", "invalid_system"},
		{"system with slash", "workspace/doc", "doc", "invalid_system"},
		{"type of another system", "workspace", "receipt", "invalid_object_type"},
		{"empty type", "accounting", "", "invalid_object_type"},
		{"upper-case type", "workspace", "Doc", "invalid_object_type"},
		{"underscore for dash", "communications", "email_attachment", "invalid_object_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseKind(tt.system, tt.objectType)
			checkErr(t, err, domain.ErrInvalid, tt.code)
			if got != (domain.Kind{}) {
				t.Errorf("got %v with the error, want the zero Kind", got)
			}
		})
	}
}
