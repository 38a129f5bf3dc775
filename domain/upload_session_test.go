package domain_test

import (
	"testing"
	"time"

	"storagegw/domain"
)

// newSession returns an active session of member "u1" in org acme, 12 MiB
// in parts of 5 MiB, started at t0 for a day.
func newSession(t *testing.T) *domain.UploadSession {
	t.Helper()
	s, err := domain.NewUploadSession(sessionData(), t0, 24*time.Hour)
	checkErr(t, err, nil, "")
	return s
}

func sessionData() domain.UploadSessionData {
	return domain.UploadSessionData{ID: "s1", Path: domain.MustParseStoragePath(recPath), UploadID: "u-1",
		StoreUploadID: "store-1", OriginalFilename: "a.pdf", DeclaredSize: 12 * mib, PartSize: 5 * mib,
		ContentType: "application/pdf", CreatedBy: "u1"}
}

func TestNewUploadSession(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	if s.State() != domain.SessionActive || !s.CreatedAt().Equal(t0) || !s.ExpiresAt().Equal(t0.Add(24*time.Hour)) {
		t.Errorf("got %+v, want an active session created at t0 expiring a day later", s.Data())
	}
	if got := s.Plan(); got.Count != 3 || got.SizeOf(3) != 2*mib {
		t.Errorf("plan: got %+v, want 3 parts, the last of 2 MiB", got)
	}
	if s.BlobKey() != recPath+"/u-1" {
		t.Errorf("blob key: got %q, want the path and the reservation's upload id", s.BlobKey())
	}
	tests := []struct {
		name string
		edit func(*domain.UploadSessionData)
		ttl  time.Duration
		kind error
	}{
		{"no id", func(d *domain.UploadSessionData) { d.ID = "" }, time.Hour, domain.ErrInvalid},
		{"no reservation", func(d *domain.UploadSessionData) { d.UploadID = "" }, time.Hour, domain.ErrInvalid},
		{"no store upload", func(d *domain.UploadSessionData) { d.StoreUploadID = "" }, time.Hour, domain.ErrInvalid},
		{"no creator", func(d *domain.UploadSessionData) { d.CreatedBy = "" }, time.Hour, domain.ErrInvalid},
		{"no path", func(d *domain.UploadSessionData) { d.Path = domain.StoragePath{} }, time.Hour, domain.ErrInvalid},
		{"empty file", func(d *domain.UploadSessionData) { d.DeclaredSize = 0 }, time.Hour, domain.ErrInvalid},
		{"part size not planned", func(d *domain.UploadSessionData) { d.PartSize = 1 }, time.Hour, domain.ErrInvalid},
		{"no lifetime", func(*domain.UploadSessionData) {}, 0, domain.ErrInvalid},
	}
	for _, tt := range tests {
		d := sessionData()
		tt.edit(&d)
		_, err := domain.NewUploadSession(d, t0, tt.ttl)
		t.Run(tt.name, func(t *testing.T) { checkErr(t, err, tt.kind, "") })
	}
	d := s.Data()
	d.State = "lost"
	_, err := domain.RehydrateUploadSession(d)
	checkErr(t, err, domain.ErrInvalid, "invalid_upload_session")
}

func TestUploadSessionAccess(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	for _, tt := range []struct {
		p    domain.Principal
		want bool
	}{
		{domain.Principal{UserID: "u1", OrgID: "acme", Role: domain.RoleMember}, true},
		{domain.Principal{UserID: "boss", OrgID: "acme", Role: domain.RoleAdmin}, true},
		{domain.Principal{UserID: "u2", OrgID: "acme", Role: domain.RoleMember}, false},
		{domain.Principal{UserID: "u1", OrgID: "other", Role: domain.RoleMember}, false},
		{domain.Principal{UserID: "boss", OrgID: "other", Role: domain.RoleAdmin}, false},
	} {
		if got := s.AccessibleBy(tt.p); got != tt.want {
			t.Errorf("AccessibleBy(%+v): got %v, want %v", tt.p, got, tt.want)
		}
	}
}

func TestUploadSessionLifecycle(t *testing.T) {
	t.Parallel()
	const claim = 2 * time.Minute
	s := newSession(t)
	checkErr(t, s.BeginComplete(t0.Add(time.Hour), claim), nil, "")
	checkErr(t, s.BeginComplete(t0.Add(time.Hour), claim), domain.ErrExists, "upload_closing")
	checkErr(t, s.BeginAbort(t0.Add(time.Hour), claim), domain.ErrExists, "upload_closing")
	s.ResumeUpload(t0.Add(2 * time.Hour))
	if s.State() != domain.SessionActive || !s.ClaimedUntil().IsZero() {
		t.Fatalf("after ResumeUpload: got %s claimed until %v, want active, unclaimed", s.State(), s.ClaimedUntil())
	}
	checkErr(t, s.BeginAbort(t0.Add(2*time.Hour), claim), nil, "")
	checkErr(t, s.BeginAbort(t0.Add(2*time.Hour), claim), nil, "") // a retried abort
	s.ResumeUpload(t0.Add(3 * time.Hour))
	if s.State() != domain.SessionAborting {
		t.Errorf("ResumeUpload of an aborting session: got %s, want it unchanged", s.State())
	}
	checkErr(t, s.CheckOpen(t0.Add(2*time.Hour)), domain.ErrExists, "upload_closing")

	expired := newSession(t)
	checkErr(t, expired.CheckOpen(t0.Add(24*time.Hour-time.Nanosecond)), nil, "")
	checkErr(t, expired.BeginComplete(t0.Add(24*time.Hour), claim), domain.ErrNotFound, "upload_expired")
}

// A complete whose request died (its claim lapsed) is taken over by a
// retry or another replica, which may finish it or abort it.
func TestUploadSessionClaimTakeover(t *testing.T) {
	t.Parallel()
	const claim = 2 * time.Minute
	at := t0.Add(time.Hour)
	tests := []struct {
		name string
		next func(s *domain.UploadSession, now time.Time) error
	}{
		{"complete again", func(s *domain.UploadSession, now time.Time) error { return s.BeginComplete(now, claim) }},
		{"abort", func(s *domain.UploadSession, now time.Time) error { return s.BeginAbort(now, claim) }},
		{"check open", func(s *domain.UploadSession, now time.Time) error { return s.CheckOpen(now) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSession(t)
			checkErr(t, s.BeginComplete(at, claim), nil, "")
			checkErr(t, tt.next(s, at.Add(claim-time.Nanosecond)), domain.ErrExists, "upload_closing")
			s.RenewClaim(at.Add(time.Minute), claim)
			checkErr(t, tt.next(s, at.Add(claim)), domain.ErrExists, "upload_closing")
			checkErr(t, tt.next(s, at.Add(time.Minute+claim)), nil, "")
		})
	}
}

func TestUploadSessionCleanup(t *testing.T) {
	t.Parallel()
	const claim = 2 * time.Minute
	end := t0.Add(24 * time.Hour)
	active := newSession(t)
	checkErr(t, active.BeginCleanup(end.Add(-time.Second), claim), domain.ErrExists, "upload_in_use")
	checkErr(t, active.BeginCleanup(end, claim), nil, "")
	if active.State() != domain.SessionAborting {
		t.Errorf("after BeginCleanup: got %s, want aborting", active.State())
	}
	// A second clean-up run finds the first one's claim and leaves the
	// session to it until that claim lapses.
	checkErr(t, active.BeginCleanup(end.Add(claim-time.Second), claim), domain.ErrExists, "upload_in_use")
	checkErr(t, active.BeginCleanup(end.Add(claim), claim), nil, "")

	completing := newSession(t)
	checkErr(t, completing.BeginComplete(t0, claim), nil, "")
	checkErr(t, completing.BeginCleanup(t0.Add(claim-time.Second), claim), domain.ErrExists, "upload_in_use")
	checkErr(t, completing.BeginCleanup(t0.Add(claim), claim), nil, "")
}

func TestRenewUpload(t *testing.T) {
	t.Parallel()
	rec := pending(t)
	checkErr(t, rec.RenewUpload("u1", t0.Add(50*time.Minute)), nil, "")
	if !rec.PendingUntil().Equal(t0.Add(stale)) || !rec.Data().PendingSince.Equal(t0.Add(50*time.Minute)) {
		t.Errorf("after RenewUpload: since %v until %v, want %v until %v (the lease unchanged)",
			rec.Data().PendingSince, rec.PendingUntil(), t0.Add(50*time.Minute), t0.Add(stale))
	}
	checkErr(t, rec.BeginUpload("u2", true, t0.Add(60*time.Minute), stale), nil, "")
	checkErr(t, rec.RenewUpload("u1", t0), domain.ErrExists, "upload_superseded")
	checkErr(t, rec.RenewUpload("", t0), domain.ErrExists, "upload_superseded")
}
