package domain_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"storagegw/domain"
)

var allKinds = []error{
	domain.ErrInvalid, domain.ErrNotFound, domain.ErrExists, domain.ErrUnauthenticated,
	domain.ErrForbidden, domain.ErrTooLarge, domain.ErrUnsupportedType, domain.ErrUnavailable,
}

func TestKindOf(t *testing.T) {
	t.Parallel()
	for _, k := range allKinds {
		t.Run(k.Error(), func(t *testing.T) {
			t.Parallel()
			for name, err := range map[string]error{
				"bare":              k,
				"wrapped":           fmt.Errorf("ctx: %w", k),
				"domain error":      domain.Errorf(k, "c", "m"),
				"wrapped domain":    fmt.Errorf("ctx: %w", domain.Errorf(k, "c", "m")),
				"with vendor cause": domain.Wrap(k, "c", "m", io.ErrUnexpectedEOF),
			} {
				if got := domain.KindOf(err); got != k {
					t.Errorf("%s: KindOf(%v) = %v, want %v", name, err, got, k)
				}
			}
		})
	}
	for name, err := range map[string]error{"nil": nil, "plain": errors.New("boom"), "io": io.EOF} {
		if got := domain.KindOf(err); got != nil {
			t.Errorf("%s: KindOf(%v) = %v, want nil", name, err, got)
		}
	}
}

func TestWrapKeepsCauseOutOfMessage(t *testing.T) {
	t.Parallel()
	cause := errors.New("pq: password authentication failed for user storagegw")
	err := domain.Wrap(domain.ErrUnavailable, "db_unavailable", "The database is unavailable.", cause)
	if !errors.Is(err, cause) || !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("errors.Is(kind) %v, errors.Is(cause) %v, want both true", errors.Is(err, domain.ErrUnavailable), errors.Is(err, cause))
	}
	code, msg := domain.PublicMessage(fmt.Errorf("repo: %w", err))
	if code != "db_unavailable" || msg != "The database is unavailable." || strings.Contains(msg, "password") {
		t.Errorf("PublicMessage = %q, %q, want db_unavailable and the message without the cause", code, msg)
	}
	if !strings.Contains(err.Error(), "password") {
		t.Errorf("Error() = %q, want the cause kept for logs", err.Error())
	}
}

func TestPublicMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		err      error
		wantCode string
	}{
		{"domain error", domain.Errorf(domain.ErrInvalid, "invalid_path", "Bad path."), "invalid_path"},
		{"wrapped domain error", fmt.Errorf("x: %w", domain.Errorf(domain.ErrExists, "file_exists", "Exists.")), "file_exists"},
		{"bare invalid", domain.ErrInvalid, "invalid_request"},
		{"bare not found", fmt.Errorf("repo: %w", domain.ErrNotFound), "not_found"},
		{"bare exists", domain.ErrExists, "already_exists"},
		{"bare unauthenticated", domain.ErrUnauthenticated, "token_invalid"},
		{"bare forbidden", domain.ErrForbidden, "forbidden"},
		{"bare too large", domain.ErrTooLarge, "too_large"},
		{"bare unsupported", domain.ErrUnsupportedType, "unsupported_type"},
		{"bare unavailable", domain.ErrUnavailable, "unavailable"},
		{"internal", errors.New("runtime error: index out of range at /src/x.go:12"), "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, msg := domain.PublicMessage(tt.err)
			if code != tt.wantCode {
				t.Errorf("code = %q, want %q", code, tt.wantCode)
			}
			if msg == "" || strings.Contains(msg, ".go:") {
				t.Errorf("message = %q, want a non-empty sentence without internals", msg)
			}
		})
	}
}

func TestErrorMessagesDoNotEchoControlCharacters(t *testing.T) {
	t.Parallel()
	hostile := "x\x00\r\nInjected: yes" + strings.Repeat("A", 200)
	for name, err := range map[string]error{
		"system":   func() error { _, err := domain.ParseKind(hostile, "doc"); return err }(),
		"type":     func() error { _, err := domain.ParseKind("workspace", hostile); return err }(),
		"role":     func() error { _, err := domain.ParseRole(hostile); return err }(),
		"action":   func() error { _, err := domain.ParseAction(hostile); return err }(),
		"filename": func() error { _, err := domain.SanitizeFilename("\x00\r\n" + strings.Repeat("/", 300)); return err }(),
	} {
		_, msg := domain.PublicMessage(err)
		if strings.ContainsAny(msg, "\x00\r\n") || len(msg) > 300 {
			t.Errorf("%s: message %q (%d bytes) echoes control characters or too much input", name, msg, len(msg))
		}
	}
}
