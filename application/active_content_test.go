package application_test

import (
	"bytes"
	"testing"

	"storagegw/application"
	"storagegw/domain"
)

const (
	htmlPage  = "<!DOCTYPE html><html><body><script>alert(document.domain)</script></body></html>\n"
	xhtmlPage = `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><script>alert(1)</script></body></html>`
	svgImage  = `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`
	rssFeed   = `<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="#x"?><rss version="2.0"><channel><title>x</title></channel></rss>`
	kmlDoc    = `<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document></Document></kml>`
)

// TestActiveContentNeedsItsOwnType uploads pages and images that can run
// script where a rule allows only a type they specialise (HTML is also
// text/plain, XHTML also text/xml): 415. Where the rule names the type
// itself, they are accepted.
func TestActiveContentNeedsItsOwnType(t *testing.T) {
	t.Parallel()
	member := caller("org-1", domain.RoleMember)
	upload := func(system, objectType, name, body string) application.UploadCommand {
		return application.UploadCommand{Caller: member, System: system, ObjectType: objectType, ObjectID: "x1",
			Filename: name, Body: bytes.NewReader([]byte(body)), DeclaredSize: -1}
	}
	refused := []struct {
		name string
		cmd  application.UploadCommand
	}{
		{"XHTML as an invoice (XML allowed)", upload("accounting", "invoice", "inv.xml", xhtmlPage)},
		{"HTML as an export (text/plain allowed)", upload("accounting", "export", "e.txt", htmlPage)},
		{"SVG as an export (text/plain allowed)", upload("accounting", "export", "e.txt", svgImage)},
		{"RSS as an invoice (XML allowed)", upload("accounting", "invoice", "feed.xml", rssFeed)},
		{"KML as an invoice (XML allowed)", upload("accounting", "invoice", "map.xml", kmlDoc)},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			_, err := f.app.Upload.Handle(t.Context(), tc.cmd)
			wantKind(t, err, domain.ErrUnsupportedType, "unsupported_content_type")
		})
	}
	f := newFixture(t)
	if rec := f.mustUpload(t, upload("workspace", "doc", "page.html", htmlPage)); rec.Content().ContentType != "text/html; charset=utf-8" {
		t.Errorf("HTML as a workspace doc (text/html allowed): recorded %q", rec.Content().ContentType)
	}
	if rec := f.mustUpload(t, upload("communications", "email-attachment", "i.svg", svgImage)); rec.Content().ContentType != "image/svg+xml" {
		t.Errorf("SVG as an attachment (*/* allowed): recorded %q", rec.Content().ContentType)
	}
}

// TestActiveContentIsSignedAsAttachment asks for an inline URL of an HTML
// page: it is signed as an attachment, and the event says both.
func TestActiveContentIsSignedAsAttachment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	member := caller("org-1", domain.RoleMember)
	page := f.mustUpload(t, application.UploadCommand{Caller: member, System: "workspace", ObjectType: "doc", ObjectID: "d1",
		Filename: "page.html", Body: bytes.NewReader([]byte(htmlPage)), DeclaredSize: -1})
	png := f.mustUpload(t, receipt(member, "r.png", pngBytes(100)))
	for _, tc := range []struct {
		rec       *domain.FileRecord
		requested string
		want      domain.Disposition
	}{
		{page, "inline", domain.DispositionAttachment},
		{page, "", domain.DispositionAttachment},
		{page, "attachment", domain.DispositionAttachment},
		{png, "inline", domain.DispositionInline},
	} {
		before := len(f.audit.Events())
		if _, err := f.app.SignURL.Handle(t.Context(), application.SignURLQuery{Caller: member,
			FilePath: tc.rec.Path().String(), Disposition: tc.requested}); err != nil {
			t.Fatal(err)
		}
		if got := f.signer.reqs[len(f.signer.reqs)-1].Disposition; got != tc.want {
			t.Errorf("%s asked %q: signed %q, want %q", tc.rec.Content().ContentType, tc.requested, got, tc.want)
		}
		ev := f.eventsSince(t, before, 1)[0].Data()
		forced := tc.want != domain.DispositionInline && tc.requested != "attachment"
		if ev.Metadata["disposition"] != string(tc.want) || (ev.Metadata["requested_disposition"] != nil) != forced {
			t.Errorf("%s asked %q: audit metadata %v", tc.rec.Content().ContentType, tc.requested, ev.Metadata)
		}
	}
}
