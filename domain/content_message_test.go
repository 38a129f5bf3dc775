package domain_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"storagegw/domain"
)

// publicMessage is the message a caller is shown for err.
func publicMessage(err error) string {
	_, msg := domain.PublicMessage(err)
	return msg
}

// TestContentRuleMessages: a refusal names what a frontend needs to tell
// its user: the kind, the limit in binary units, the type refused (whole,
// however long) and every type the kind accepts.
func TestContentRuleMessages(t *testing.T) {
	t.Parallel()
	rules := domain.DefaultContentRules()
	receiptKind := domain.Kind{System: domain.SystemAccounting, ObjectType: domain.TypeReceipt}
	receipt := rules[receiptKind]
	receipt.Kind = receiptKind
	pptx := "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	slide := rules[domain.Kind{System: domain.SystemWorkspace, ObjectType: domain.TypeSlide}]
	slide.Kind = domain.Kind{System: domain.SystemWorkspace, ObjectType: domain.TypeSlide}
	big := domain.ContentRule{Kind: slide.Kind, MaxBytes: 3 << 29, Allowed: []string{"*/*"}}

	_, acceptErr := receipt.Accept([]string{pptx, "application/zip"})
	_, noTypesErr := receipt.Accept(nil)
	_, meterErr := io.Copy(io.Discard, receipt.Meter(strings.NewReader(strings.Repeat("x", 20<<20+1))))
	_, bareMeterErr := io.Copy(io.Discard, domain.NewMeter(strings.NewReader("xxxx"), 3))
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"declared type", receipt.CheckType("text/html"),
			"Content of type text/html is not accepted for accounting/receipt, which accepts: image/jpeg, image/png, image/heic, image/heif, image/webp, application/pdf."},
		{"a long sniffed type, whole", acceptErr,
			"Content of type " + pptx + " is not accepted for accounting/receipt, which accepts: image/jpeg, image/png, image/heic, image/heif, image/webp, application/pdf."},
		{"no type at all", noTypesErr, "Content of type application/octet-stream is not accepted for accounting/receipt"},
		{"receipt-upload's narrowed rule", slide.ImagesAndPDF().CheckType("text/plain"),
			"Content of type text/plain is not accepted for workspace/slide, which accepts: application/pdf, image/*."},
		{"a rule without a kind", domain.ContentRule{Allowed: []string{"application/pdf"}}.CheckType("image/png"),
			"Content of type image/png is not accepted here, which accepts: application/pdf."},
		{"parameters are left out", receipt.CheckType("text/plain; charset=utf-8"), "Content of type text/plain is not accepted for accounting/receipt,"},
		{"a control character is not echoed", receipt.CheckType("text/\nplain"), "Content of type text/?plain is not"},
		{"declared size", receipt.CheckSize(21 << 20), "The file is larger than the 20 MiB allowed for accounting/receipt."},
		{"GiB", big.CheckSize(2 << 30), "The file is larger than the 1.5 GiB allowed for workspace/slide."},
		{"while streaming", meterErr, "The file is larger than the 20 MiB allowed for accounting/receipt."},
		{"a bare meter", bareMeterErr, "The file is larger than the 3 bytes allowed here."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.err == nil {
				t.Fatalf("got no error, want %q", tc.want)
			}
			if got := publicMessage(tc.err); !strings.HasPrefix(got, tc.want) {
				t.Errorf("got %q, want it to start with %q", got, tc.want)
			}
		})
	}
	long := "application/" + strings.Repeat("x", 300)
	if got := publicMessage(receipt.CheckType(long)); !strings.Contains(got, long[:255]+"…") || strings.Contains(got, long[:256]) {
		t.Errorf("a type longer than RFC 6838 allows: got %q, want it cut at 255 characters", got)
	}
	if !errors.Is(meterErr, domain.ErrTooLarge) {
		t.Errorf("meter: got %v, want ErrTooLarge", meterErr)
	}
}
