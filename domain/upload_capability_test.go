package domain_test

import (
	"errors"
	"testing"
	"time"

	"storagegw/domain"
)

var capNow = time.Date(2026, 1, 26, 15, 30, 45, 0, time.UTC)

func newCap(t *testing.T, r domain.UploadCapabilityRequest) *domain.UploadCapability {
	t.Helper()
	p := domain.Principal{UserID: "user-1", OrgID: "org-1", Role: domain.RoleMember}
	c, err := domain.NewUploadCapability(p, r, capNow, 10*time.Minute)
	if err != nil {
		t.Fatalf("NewUploadCapability(%+v): got error %v, want nil", r, err)
	}
	return c
}

func docRequest() domain.UploadCapabilityRequest {
	return domain.UploadCapabilityRequest{ID: "cap-1", System: "workspace", ObjectType: "doc", ObjectID: "doc-1"}
}

func TestNewUploadCapabilityRefusals(t *testing.T) {
	t.Parallel()
	member := domain.Principal{UserID: "user-1", OrgID: "org-1", Role: domain.RoleMember}
	viewer := domain.Principal{UserID: "user-1", OrgID: "org-1", Role: domain.RoleViewer}
	tests := []struct {
		name string
		p    domain.Principal
		edit func(*domain.UploadCapabilityRequest)
		ttl  time.Duration
		kind error
	}{
		{"viewer", viewer, func(*domain.UploadCapabilityRequest) {}, time.Minute, domain.ErrForbidden},
		{"unknown system", member, func(r *domain.UploadCapabilityRequest) { r.System = "hr" }, time.Minute, domain.ErrInvalid},
		{"bad object id", member, func(r *domain.UploadCapabilityRequest) { r.ObjectID = "../x" }, time.Minute, domain.ErrInvalid},
		{"name of nothing", member, func(r *domain.UploadCapabilityRequest) { r.Filename = "..." }, time.Minute, domain.ErrInvalid},
		{"negative size", member, func(r *domain.UploadCapabilityRequest) { r.MaxBytes = -1 }, time.Minute, domain.ErrInvalid},
		{"tiny part size", member, func(r *domain.UploadCapabilityRequest) { r.PartSize = 1 << 20 }, time.Minute, domain.ErrInvalid},
		{"too short", member, func(*domain.UploadCapabilityRequest) {}, 59 * time.Second, domain.ErrInvalid},
		{"too long", member, func(*domain.UploadCapabilityRequest) {}, time.Hour + time.Second, domain.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := docRequest()
			tc.edit(&r)
			if _, err := domain.NewUploadCapability(tc.p, r, capNow, tc.ttl); !errors.Is(err, tc.kind) {
				t.Errorf("NewUploadCapability: got %v, want %v", err, tc.kind)
			}
		})
	}
}

func TestUploadCapabilityRedeem(t *testing.T) {
	t.Parallel()
	c := newCap(t, docRequest())
	if err := c.Redeem(capNow.Add(10*time.Minute - time.Second)); err != nil {
		t.Errorf("Redeem before expiry: got %v, want nil", err)
	}
	err := c.Redeem(capNow.Add(10 * time.Minute))
	var de *domain.Error
	if !errors.As(err, &de) || de.Kind != domain.ErrForbidden || de.Code != "capability_expired" {
		t.Errorf("Redeem at expiry: got %v, want forbidden capability_expired", err)
	}
}

func TestUploadCapabilityCheckUpload(t *testing.T) {
	t.Parallel()
	r := docRequest()
	r.Filename, r.MaxBytes = "Q1 Report.pdf", 100
	c := newCap(t, r)
	tests := []struct {
		name     string
		filename string
		size     int64
		kind     error
	}{
		{"same name", "Q1 Report.pdf", 100, nil},
		{"same sanitized name", "Q1_Report.pdf", -1, nil},
		{"other name", "other.pdf", 10, domain.ErrForbidden},
		{"too large", "Q1 Report.pdf", 101, domain.ErrTooLarge},
	}
	for _, tc := range tests {
		if err := c.CheckUpload(tc.filename, tc.size); !errors.Is(err, tc.kind) && (tc.kind != nil || err != nil) {
			t.Errorf("%s: CheckUpload(%q, %d): got %v, want %v", tc.name, tc.filename, tc.size, err, tc.kind)
		}
	}
}

func TestUploadCapabilityCovers(t *testing.T) {
	t.Parallel()
	any := newCap(t, docRequest())
	r := docRequest()
	r.Filename, r.AddTimestamp = "report.pdf", true
	named := newCap(t, r)
	tests := []struct {
		name string
		c    *domain.UploadCapability
		path string
		want bool
	}{
		{"any name", any, "org-1/workspace/doc/doc-1/x.pdf", true},
		{"other org", any, "org-2/workspace/doc/doc-1/x.pdf", false},
		{"other type", any, "org-1/workspace/sheet/doc-1/x.pdf", false},
		{"other object", any, "org-1/workspace/doc/doc-2/x.pdf", false},
		{"bound name", named, "org-1/workspace/doc/doc-1/report.pdf", true},
		{"bound name, timestamped", named, "org-1/workspace/doc/doc-1/20260126_153045_report.pdf", true},
		{"bound name, other", named, "org-1/workspace/doc/doc-1/20260126_153045_other.pdf", false},
		{"bound name, fake prefix", named, "org-1/workspace/doc/doc-1/2026012X_153045_report.pdf", false},
	}
	for _, tc := range tests {
		if got := tc.c.Covers(domain.MustParseStoragePath(tc.path)); got != tc.want {
			t.Errorf("%s: Covers(%s): got %v, want %v", tc.name, tc.path, got, tc.want)
		}
	}
}

func TestRehydrateUploadCapabilityRoundTrip(t *testing.T) {
	t.Parallel()
	r := docRequest()
	r.Filename, r.PartSize, r.Overwrite = "a.pdf", 8<<20, true
	c := newCap(t, r)
	back, err := domain.RehydrateUploadCapability(c.Data())
	if err != nil || back.Data() != c.Data() {
		t.Fatalf("Rehydrate(Data()): got (%+v, %v), want %+v", back, err, c.Data())
	}
	d := c.Data()
	d.Filename = "a b.pdf"
	if _, err := domain.RehydrateUploadCapability(d); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("Rehydrate with an unsanitized name: got %v, want invalid", err)
	}
}

// TestUploadCapabilityPostKey: the key of a file posted whole is the path
// it will get (its name sanitized), or its name when timestamps are added;
// either key stands for the file's name, and a path the capability does
// not cover is only a name.
func TestUploadCapabilityPostKey(t *testing.T) {
	t.Parallel()
	c := newCap(t, docRequest())
	key, err := c.PostKey("my notes.pdf")
	if err != nil || key != "org-1/workspace/doc/doc-1/my_notes.pdf" {
		t.Errorf("PostKey: got %q, %v, want org-1/workspace/doc/doc-1/my_notes.pdf", key, err)
	}
	if _, err := c.PostKey(""); err == nil {
		t.Error("PostKey of no name: got nil error, want the path's refusal")
	}
	r := docRequest()
	r.AddTimestamp = true
	if key, err := newCap(t, r).PostKey("my notes.pdf"); err != nil || key != "my notes.pdf" {
		t.Errorf("PostKey with timestamps: got %q, %v, want the name", key, err)
	}
	for key, want := range map[string]string{
		"org-1/workspace/doc/doc-1/my_notes.pdf": "my_notes.pdf",
		"my notes.pdf":                           "my notes.pdf",
		"org-2/workspace/doc/doc-1/my_notes.pdf": "org-2/workspace/doc/doc-1/my_notes.pdf",
	} {
		if got := c.PostFilename(key); got != want {
			t.Errorf("PostFilename(%q): got %q, want %q", key, got, want)
		}
	}
}
