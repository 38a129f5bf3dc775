package domain

import (
	"mime"
	"testing"
)

func TestDispositionHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		disposition Disposition
		name, want  string
	}{
		{DispositionInline, "report.pdf", `inline; filename=report.pdf; filename*=UTF-8''report.pdf`},
		{DispositionAttachment, "my report.pdf", `attachment; filename="my report.pdf"; filename*=UTF-8''my%20report.pdf`},
		{DispositionAttachment, `say "hi".txt`, `attachment; filename="say _hi_.txt"; filename*=UTF-8''say%20%22hi%22.txt`},
		{DispositionAttachment, "a\r\nSet-Cookie: x=1.txt", `attachment; filename="a__Set-Cookie: x=1.txt"; filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x%3D1.txt`},
		{DispositionAttachment, "€ invoice ünï.pdf", `attachment; filename="_ invoice _n_.pdf"; filename*=UTF-8''%E2%82%AC%20invoice%20%C3%BCn%C3%AF.pdf`},
		{DispositionAttachment, "a\\b%c\x01.txt", `attachment; filename=a_b_c_.txt; filename*=UTF-8''a%5Cb%25c%01.txt`},
		{DispositionAttachment, "bad\xff.txt", `attachment; filename=bad_.txt; filename*=UTF-8''bad%EF%BF%BD.txt`},
		{Disposition("anything else"), "x.txt", `inline; filename=x.txt; filename*=UTF-8''x.txt`},
		{DispositionInline, "", "inline"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			got := tc.disposition.Header(tc.name)
			if got != tc.want {
				t.Errorf("%q: got %s, want %s", tc.name, got, tc.want)
			}
			// What a browser reads back: the exact (valid UTF-8) name.
			if _, params, err := mime.ParseMediaType(got); tc.name != "" && tc.name != "bad\xff.txt" && (err != nil || params["filename"] != tc.name) {
				t.Errorf("%q: parses back as %q, %v", tc.name, params["filename"], err)
			}
		})
	}
}
