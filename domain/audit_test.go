package domain_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"storagegw/domain"
)

func validEvent() domain.AuditEventData {
	return domain.AuditEventData{
		ID: "ev-1", Timestamp: t0, Action: domain.ActionUpload,
		Actor:    domain.Actor{UserID: "alice", Role: domain.RoleMember, OrgID: "acme", IP: "203.0.113.9", UserAgent: "curl/8"},
		FilePath: recPath, RelatedObjectType: "doc", RelatedObjectID: "d1",
		Metadata: map[string]any{"size_bytes": 42}, Success: true,
	}
}

func TestNewAuditEventValidation(t *testing.T) {
	t.Parallel()
	with := func(mod func(*domain.AuditEventData)) domain.AuditEventData {
		d := validEvent()
		mod(&d)
		return d
	}
	tests := []struct {
		name string
		data domain.AuditEventData
		code string // "" means valid
	}{
		{name: "success", data: validEvent()},
		{name: "failure with message", data: with(func(d *domain.AuditEventData) { d.Success, d.ErrorMessage = false, "forbidden: no" })},
		{name: "no file path", data: with(func(d *domain.AuditEventData) { d.Action, d.FilePath = domain.ActionAuditQuery, "" })},
		{name: "system actor", data: with(func(d *domain.AuditEventData) { d.Actor = domain.Actor{UserID: domain.SystemActor} })},
		{name: "no id", data: with(func(d *domain.AuditEventData) { d.ID = "" }), code: "invalid_audit_event"},
		{name: "no timestamp", data: with(func(d *domain.AuditEventData) { d.Timestamp = time.Time{} }), code: "invalid_audit_event"},
		{name: "no action", data: with(func(d *domain.AuditEventData) { d.Action = "" }), code: "invalid_action_type"},
		{name: "unknown action", data: with(func(d *domain.AuditEventData) { d.Action = "HACK" }), code: "invalid_action_type"},
		{name: "lower-case action", data: with(func(d *domain.AuditEventData) { d.Action = "upload" }), code: "invalid_action_type"},
		{name: "no actor", data: with(func(d *domain.AuditEventData) { d.Actor.UserID = "" }), code: "invalid_audit_event"},
		{name: "failure without message", data: with(func(d *domain.AuditEventData) { d.Success = false }), code: "invalid_audit_event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := domain.NewAuditEvent(tt.data)
			if tt.code != "" {
				checkErr(t, err, domain.ErrInvalid, tt.code)
				if ev != nil {
					t.Errorf("got event with the error, want nil")
				}
				return
			}
			checkErr(t, err, nil, "")
			if ev.ID() != tt.data.ID || ev.Action() != tt.data.Action || ev.Success() != tt.data.Success || !ev.Timestamp().Equal(tt.data.Timestamp) {
				t.Errorf("got %+v, want %+v", ev.Data(), tt.data)
			}
		})
	}
}

func TestNewAuditEventNormalises(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 5000)
	tests := []struct {
		name  string
		mod   func(*domain.AuditEventData)
		check func(*testing.T, domain.AuditEventData)
	}{
		{
			name: "success clears the message",
			mod:  func(d *domain.AuditEventData) { d.ErrorMessage = "stale" },
			check: func(t *testing.T, d domain.AuditEventData) {
				if d.ErrorMessage != "" {
					t.Errorf("ErrorMessage = %q, want \"\"", d.ErrorMessage)
				}
			},
		},
		{
			name: "timestamp in utc",
			mod:  func(d *domain.AuditEventData) { d.Timestamp = t0.In(time.FixedZone("X", -3600)) },
			check: func(t *testing.T, d domain.AuditEventData) {
				if d.Timestamp.Location() != time.UTC || !d.Timestamp.Equal(t0) {
					t.Errorf("Timestamp = %v, want %v UTC", d.Timestamp, t0)
				}
			},
		},
		{
			name: "long texts truncated",
			mod: func(d *domain.AuditEventData) {
				d.Success, d.ErrorMessage, d.FilePath, d.Actor.UserAgent = false, long, long, long
				d.RelatedObjectType, d.RelatedObjectID = long, long
			},
			check: func(t *testing.T, d domain.AuditEventData) {
				for name, tc := range map[string]struct {
					got string
					max int
				}{
					"ErrorMessage": {d.ErrorMessage, 1024}, "FilePath": {d.FilePath, 1024}, "UserAgent": {d.Actor.UserAgent, 512},
					"RelatedObjectType": {d.RelatedObjectType, 1024}, "RelatedObjectID": {d.RelatedObjectID, 1024},
				} {
					if len(tc.got) != tc.max || !strings.HasPrefix(long, tc.got) {
						t.Errorf("%s has %d bytes, want the first %d", name, len(tc.got), tc.max)
					}
				}
			},
		},
		{
			name: "truncation keeps whole runes",
			mod: func(d *domain.AuditEventData) {
				s := "a" + strings.Repeat("é", 1000) // a rune boundary falls on odd offsets
				d.Success, d.ErrorMessage, d.FilePath, d.Actor.UserAgent = false, s, s, s
			},
			check: func(t *testing.T, d domain.AuditEventData) {
				for name, got := range map[string]string{"ErrorMessage": d.ErrorMessage, "FilePath": d.FilePath, "UserAgent": d.Actor.UserAgent} {
					if !utf8.ValidString(got) || len(got) < 500 {
						t.Errorf("%s = %d bytes, valid UTF-8 %v; want a long valid prefix", name, len(got), utf8.ValidString(got))
					}
				}
			},
		},
		{
			name: "control characters and invalid utf-8 neutralised",
			mod: func(d *domain.AuditEventData) {
				d.FilePath = "acme/../x\x00\n\xff"
				d.RelatedObjectID = "d1\x00\r\n"
				d.RelatedObjectType = "doc\xfe"
				d.Actor.UserAgent = "ua\x7f\xff"
			},
			check: func(t *testing.T, d domain.AuditEventData) {
				for name, got := range map[string]string{
					"FilePath": d.FilePath, "RelatedObjectID": d.RelatedObjectID,
					"RelatedObjectType": d.RelatedObjectType, "UserAgent": d.Actor.UserAgent,
				} {
					if !utf8.ValidString(got) || strings.ContainsAny(got, "\x00\r\n\x7f") {
						t.Errorf("%s = %q, want valid UTF-8 without control characters", name, got)
					}
				}
				if d.FilePath != "acme/../x??\uFFFD" {
					t.Errorf("FilePath = %q, want %q", d.FilePath, "acme/../x??\uFFFD")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := validEvent()
			tt.mod(&d)
			ev, err := domain.NewAuditEvent(d)
			checkErr(t, err, nil, "")
			tt.check(t, ev.Data())
		})
	}
}

func TestAuditEventMetadataIsCopied(t *testing.T) {
	t.Parallel()
	d := validEvent()
	ev, err := domain.NewAuditEvent(d)
	checkErr(t, err, nil, "")
	d.Metadata["size_bytes"] = 999
	d.Metadata["injected"] = true
	if got := ev.Data().Metadata; len(got) != 1 || got["size_bytes"] != 42 {
		t.Errorf("after changing the caller's map, Metadata = %v, want map[size_bytes:42]", got)
	}
	out := ev.Data()
	out.Metadata["size_bytes"] = 0
	if got := ev.Data().Metadata["size_bytes"]; got != 42 {
		t.Errorf("after changing Data().Metadata, size_bytes = %v, want 42", got)
	}
	re := domain.RehydrateAuditEvent(ev.Data())
	if re.ID() != ev.ID() || re.Data().Metadata["size_bytes"] != 42 {
		t.Errorf("RehydrateAuditEvent lost data: got %+v", re.Data())
	}
}

func TestParseAction(t *testing.T) {
	t.Parallel()
	want := []domain.Action{"UPLOAD", "VIEW", "EDIT", "DELETE", "SIGNED_URL_GENERATED", "DOWNLOAD"}
	for _, a := range want {
		found := false
		for _, b := range domain.Actions() {
			found = found || a == b
		}
		if !found {
			t.Errorf("Actions() lacks SPEC §2 action %s", a)
		}
	}
	for _, a := range domain.Actions() {
		got, err := domain.ParseAction(string(a))
		if err != nil || got != a {
			t.Errorf("ParseAction(%q) = %q, %v, want %q, nil", a, got, err, a)
		}
	}
	for _, s := range []string{"", "upload", "Upload", " UPLOAD", "UPLOAD ", "HACK", "UPLOAD\x00"} {
		t.Run(s, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseAction(s)
			checkErr(t, err, domain.ErrInvalid, "invalid_action_type")
			if got != "" {
				t.Errorf("got %q with the error, want \"\"", got)
			}
		})
	}
}

// TestAuditEventEscapesClientText: metadata, file paths and messages with
// NUL, control characters or invalid UTF-8 are kept, escaped, as text any
// database accepts; clean text is left as it is.
func TestAuditEventEscapesClientText(t *testing.T) {
	t.Parallel()
	e, err := domain.NewAuditEvent(domain.AuditEventData{ID: "id-1", Timestamp: time.Now(),
		Actor: domain.Actor{UserID: "u1"}, Action: domain.ActionList, Success: false,
		ErrorMessage: "bad\x00prefix",
		Metadata: map[string]any{"prefix": "a\x00b\xffc\\d", "clean": `C:\ok ü`, "k\x01": 1,
			"nested": map[string]any{"l": []any{"\x7f"}}, "ids": []string{"x\x00"}}})
	if err != nil {
		t.Fatal(err)
	}
	d := e.Data()
	for key, want := range map[string]any{"prefix": `a\x00b\xffc\\d`, "clean": `C:\ok ü`, `k\x01`: 1,
		"nested": map[string]any{"l": []any{`\x7f`}}, "ids": []string{`x\x00`}} {
		if got := d.Metadata[key]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("metadata %q: got %q, want %q", key, got, want)
		}
	}
	if d.ErrorMessage != `bad\x00prefix` {
		t.Errorf("error message: got %q, want the NUL escaped", d.ErrorMessage)
	}
}
