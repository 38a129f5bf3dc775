package repotest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// RunLegalHolds is the conformance suite of application.LegalHolds: every
// adapter runs it with a fresh store and the Transactor its changes join.
func RunLegalHolds(t *testing.T, fresh func(t *testing.T) (application.LegalHolds, application.Transactor)) {
	t.Helper()
	file := domain.MustParseStoragePath("org-1/accounting/invoice/inv-42/a.pdf")
	later := domain.MustParseStoragePath("org-1/accounting/invoice/inv-42/later.pdf")
	other := domain.MustParseStoragePath("org-1/accounting/invoice/inv-43/a.pdf")
	foreign := domain.MustParseStoragePath("org-2/accounting/invoice/inv-42/a.pdf")
	object, err := domain.ParseObjectHoldScope("org-1", "accounting/invoice/inv-42/")
	if err != nil {
		t.Fatal(err)
	}
	hold := func(t *testing.T, scope domain.HoldScope) *domain.LegalHold {
		t.Helper()
		h, err := domain.NewLegalHold(domain.LegalHoldData{ID: scope.String(), Scope: scope, Reason: "case 12",
			SetBy: "admin-1", SetAt: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	ctx := context.Background()

	t.Run("object hold covers its files, later ones too, and nothing else", func(t *testing.T) {
		holds, _ := fresh(t)
		if _, err := holds.Set(ctx, hold(t, object)); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			path domain.StoragePath
			want bool
		}{{file, true}, {later, true}, {other, false}, {foreign, false}} {
			got, err := holds.Covering(ctx, c.path)
			if err != nil {
				t.Fatal(err)
			}
			if (got != nil) != c.want {
				t.Errorf("Covering(%s) = %v, want held %v", c.path, got, c.want)
			}
		}
	})

	t.Run("same scope twice is ErrExists; clear then covers nothing", func(t *testing.T) {
		holds, _ := fresh(t)
		scope := domain.FileHoldScope(file)
		if _, err := holds.Set(ctx, hold(t, scope)); err != nil {
			t.Fatal(err)
		}
		if _, err := holds.Set(ctx, hold(t, scope)); !errors.Is(err, domain.ErrExists) {
			t.Errorf("second Set: got %v, want ErrExists", err)
		}
		got, err := holds.Clear(ctx, scope)
		if err != nil || got.Reason() != "case 12" {
			t.Fatalf("Clear = %v, %v; want the hold", got, err)
		}
		if h, err := holds.Covering(ctx, file); err != nil || h != nil {
			t.Errorf("Covering after Clear = %v, %v; want nil", h, err)
		}
		if _, err := holds.Clear(ctx, scope); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("second Clear: got %v, want ErrNotFound", err)
		}
	})

	t.Run("a rolled back Set leaves no hold", func(t *testing.T) {
		holds, tx := fresh(t)
		boom := errors.New("boom")
		err := tx.InTx(ctx, func(ctx context.Context) error {
			if _, err := holds.Set(ctx, hold(t, object)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		if h, err := holds.Covering(ctx, file); err != nil || h != nil {
			t.Errorf("Covering after rollback = %v, %v; want nil", h, err)
		}
	})

	t.Run("List is the org's holds under the prefix, by scope", func(t *testing.T) {
		holds, _ := fresh(t)
		for _, s := range []domain.HoldScope{object, domain.FileHoldScope(other), domain.FileHoldScope(foreign)} {
			if _, err := holds.Set(ctx, hold(t, s)); err != nil {
				t.Fatal(err)
			}
		}
		got, err := holds.List(ctx, "org-1", "accounting/invoice/")
		if err != nil {
			t.Fatal(err)
		}
		var scopes []string
		for _, h := range got {
			scopes = append(scopes, h.Scope().Relative())
		}
		want := []string{"accounting/invoice/inv-42/", "accounting/invoice/inv-43/a.pdf"}
		if len(scopes) != len(want) || scopes[0] != want[0] || scopes[1] != want[1] {
			t.Errorf("List = %v, want %v", scopes, want)
		}
	})

	t.Run("a Set waits for a transaction that checked Covering", func(t *testing.T) {
		holds, tx := fresh(t)
		checked, release := make(chan struct{}), make(chan struct{})
		changeDone := make(chan error, 1)
		var setAfterChange bool
		var mu sync.Mutex
		committed := false
		go func() {
			changeDone <- tx.InTx(ctx, func(ctx context.Context) error {
				h, err := holds.Covering(ctx, file)
				if err != nil || h != nil {
					return fmt.Errorf("Covering = %v, %v; want none yet", h, err)
				}
				close(checked)
				<-release // the change, which may destroy the file, is made here
				mu.Lock()
				committed = true
				mu.Unlock()
				return nil
			})
		}()
		<-checked
		setDone := make(chan error, 1)
		go func() {
			setDone <- tx.InTx(ctx, func(ctx context.Context) error {
				_, err := holds.Set(ctx, hold(t, object))
				mu.Lock()
				setAfterChange = committed
				mu.Unlock()
				return err
			})
		}()
		select {
		case err := <-setDone:
			t.Fatalf("Set committed (%v) while a transaction that found no hold was still running", err)
		case <-time.After(300 * time.Millisecond):
		}
		close(release)
		if err := <-changeDone; err != nil {
			t.Fatal(err)
		}
		if err := <-setDone; err != nil {
			t.Fatalf("Set after the change: %v", err)
		}
		if !setAfterChange {
			t.Error("Set went through before the change's transaction ended")
		}
		err := tx.InTx(ctx, func(ctx context.Context) error {
			h, err := holds.Covering(ctx, file)
			if err == nil && h == nil {
				err = errors.New("a transaction after the Set sees no hold")
			}
			return err
		})
		if err != nil {
			t.Error(err)
		}
	})

	t.Run("List takes the prefix literally, bytewise", func(t *testing.T) {
		holds, _ := fresh(t)
		a := domain.MustParseStoragePath("org-1/accounting/invoice/inv_1/a.pdf")
		b := domain.MustParseStoragePath("org-1/accounting/invoice/inv-1/B.pdf")
		c := domain.MustParseStoragePath("org-1/accounting/invoice/inv-1/a.pdf")
		for _, p := range []domain.StoragePath{a, b, c} {
			if _, err := holds.Set(ctx, hold(t, domain.FileHoldScope(p))); err != nil {
				t.Fatal(err)
			}
		}
		got, err := holds.List(ctx, "org-1", "accounting/invoice/inv-")
		if err != nil {
			t.Fatal(err)
		}
		var scopes []string
		for _, h := range got {
			scopes = append(scopes, h.Scope().Relative())
		}
		want := []string{"accounting/invoice/inv-1/B.pdf", "accounting/invoice/inv-1/a.pdf"}
		if fmt.Sprint(scopes) != fmt.Sprint(want) {
			t.Errorf("List(inv-) = %v, want %v ('_' no wildcard, upper case first)", scopes, want)
		}
		h, err := holds.Covering(ctx, c)
		if err != nil || h == nil || h.Scope() != domain.FileHoldScope(c) || h.Reason() != "case 12" ||
			h.SetBy() != "admin-1" || !h.SetAt().Equal(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("Covering(%s) = %v, %v; want its hold as set", c, h, err)
		}
	})

	t.Run("a file's own hold comes before its object's", func(t *testing.T) {
		holds, _ := fresh(t)
		for _, s := range []domain.HoldScope{object, domain.FileHoldScope(file)} {
			if _, err := holds.Set(ctx, hold(t, s)); err != nil {
				t.Fatal(err)
			}
		}
		if h, err := holds.Covering(ctx, file); err != nil || h == nil || h.Scope().IsObject() {
			t.Errorf("Covering = %v, %v; want the file's own hold", h, err)
		}
	})
}
