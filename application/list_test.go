package application_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"testing"

	"storagegw/application"
	"storagegw/domain"
)

func TestListPagesThroughOwnOrgOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	c := caller("org-1", domain.RoleViewer)
	m := caller("org-1", domain.RoleMember)
	for i := range 7 {
		f.mustUpload(t, receipt(m, fmt.Sprintf("r%d.png", i), pngBytes(100)))
	}
	doc := receipt(m, "d.pdf", pdfBytes(100))
	doc.System, doc.ObjectType = "workspace", "pdf"
	f.mustUpload(t, doc)
	f.mustUpload(t, receipt(caller("org-2", domain.RoleMember), "x.png", pngBytes(100)))
	gone := f.mustUpload(t, receipt(m, "gone.png", pngBytes(100)))
	if _, err := f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: m, FilePath: gone.Path().String()}); err != nil {
		t.Fatal(err)
	}

	var seen []string
	cursor := ""
	for pages := 0; ; pages++ {
		page, err := f.app.List.Handle(ctx, application.ListFilesQuery{Caller: c, Prefix: "accounting/", Limit: new(3), Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Items {
			seen = append(seen, r.Path().Filename())
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
	}
	want := []string{"r0.png", "r1.png", "r2.png", "r3.png", "r4.png", "r5.png", "r6.png"}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("listed: got %v, want %v", seen, want)
	}

	all, err := f.app.List.Handle(ctx, application.ListFilesQuery{Caller: c})
	if err != nil || len(all.Items) != 8 || all.NextCursor != "" {
		t.Errorf("whole org: got %d items, cursor %q, %v; want 8 and no cursor", len(all.Items), all.NextCursor, err)
	}

	foreign := application.ListFilesQuery{Caller: caller("org-2", domain.RoleViewer), Cursor: encodeTestCursor("org-1/accounting/receipt/exp-1/r3.png")}
	_, err = f.app.List.Handle(ctx, foreign)
	wantKind(t, err, domain.ErrInvalid, "invalid_cursor")

	for name, q := range map[string]application.ListFilesQuery{
		"traversal prefix": {Caller: c, Prefix: "../org-2/"},
		"absolute prefix":  {Caller: c, Prefix: "/org-2"},
		"odd characters":   {Caller: c, Prefix: "accounting/%2e"},
	} {
		_, err := f.app.List.Handle(ctx, q)
		if err == nil {
			t.Errorf("%s: got a page, want invalid_prefix", name)
			continue
		}
		wantKind(t, err, domain.ErrInvalid, "invalid_prefix")
	}
	_, err = f.app.List.Handle(ctx, application.ListFilesQuery{Caller: c, Limit: new(1001)})
	wantKind(t, err, domain.ErrInvalid, "invalid_limit")
	_, err = f.app.List.Handle(ctx, application.ListFilesQuery{Caller: c, Cursor: "!!"})
	wantKind(t, err, domain.ErrInvalid, "invalid_cursor")
	_, err = f.app.List.Handle(ctx, application.ListFilesQuery{Caller: caller("org-1", domain.RoleAuditor)})
	wantKind(t, err, domain.ErrForbidden, "forbidden")
}

// encodeTestCursor forges a list cursor the way the use case encodes one.
func encodeTestCursor(path string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(path))
}
