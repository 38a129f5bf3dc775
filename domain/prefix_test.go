package domain_test

import (
	"strings"
	"testing"

	"storagegw/domain"
)

func TestCheckListPrefix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix string
		want   string // "" accepted, else the start of the message
	}{
		{"", ""},
		{"a", ""},
		{"acc", ""},
		{"accounting", ""},
		{"accounting/", ""},
		{"accounting/rec", ""},
		{"accounting/receipt", ""},
		{"accounting/receipt/", ""},
		{"accounting/receipt/exp-1/", ""},
		{"accounting/receipt/exp-1/2026", ""},
		{"app-builder/b", ""},
		{"org-1/workspace/", `prefix is relative to your organisation: leave out "org-1/" and start with a system`},
		{"org-1/", `prefix is relative to your organisation: leave out "org-1/"`},
		{"org-1", `prefix is relative to your organisation: leave out "org-1/"`},
		{"org-2/workspace/", "prefix must start with a system (workspace, accounting, communications, app-builder), relative to your organisation"},
		{"org-2", "prefix must start with a system (workspace, accounting, communications, app-builder)"},
		{"accountingx", "prefix must start with a system"},
		{"workspaces/", "prefix must start with a system"},
		{"workspace/receipt/", `prefix "workspace/receipt/": system workspace has the object types doc, sheet, slide, pdf.`},
		{"workspace/r", `prefix "workspace/r": system workspace has the object types`},
		{"workspace/docs/", `prefix "workspace/docs/"`},
		{"../org-2/", "prefix must look like the start of a path"},
		{"/org-2", "prefix must look like the start of a path"},
		{"accounting//", "prefix must look like the start of a path"},
		{"accounting/%2e", "prefix must look like the start of a path"},
		{strings.Repeat("a", 513), "prefix must look like the start of a path"},
	}
	for _, tc := range tests {
		t.Run(tc.prefix, func(t *testing.T) {
			t.Parallel()
			err := domain.CheckListPrefix("org-1", tc.prefix)
			if tc.want == "" {
				checkErr(t, err, nil, "")
				return
			}
			checkErr(t, err, domain.ErrInvalid, "invalid_prefix")
			if _, msg := domain.PublicMessage(err); !strings.HasPrefix(msg, tc.want) {
				t.Errorf("got %q, want it to start with %q", msg, tc.want)
			}
		})
	}
	// An org whose id is a system's name lists that system as any other.
	checkErr(t, domain.CheckListPrefix("workspace", "workspace/doc/"), nil, "")
}
