package configs

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCORSAllowList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"development default is any origin", nil, []string{"*"}},
		{"production default is none", production(), nil},
		{"production list", with(production(), "STORAGEGW_CORS_ORIGINS", "https://app.example.com, https://*.example.com"),
			[]string{"https://app.example.com", "https://*.example.com"}},
		{"production any", with(production(), "STORAGEGW_CORS_ORIGINS", "*"), []string{"*"}},
		{"development none", with(nil, "STORAGEGW_CORS_ORIGINS", "none"), nil},
		{"development list", with(nil, "STORAGEGW_CORS_ORIGINS", "http://localhost:5173,http://127.0.0.1:3000"),
			[]string{"http://localhost:5173", "http://127.0.0.1:3000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if got := c.CORSAllowList(); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCORSOriginsRefused(t *testing.T) {
	t.Parallel()
	for _, origin := range []string{
		"app.example.com", "https://app.example.com/", "https://app.example.com/path", "ftp://app.example.com",
		"https://app.example.com?x=1", "https://user@app.example.com", "https://app.example.com:99999",
		"https://*.*.example.com", "https://", "http://localhost:", "https://app.example.com#x",
	} {
		t.Run(origin, func(t *testing.T) {
			t.Parallel()
			_, err := Load(env(with(nil, "STORAGEGW_CORS_ORIGINS", "http://localhost:5173,"+origin)))
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			want := `STORAGEGW_CORS_ORIGINS entry "` + origin + `" is not an origin`
			if len(ve.Problems) != 1 || !strings.Contains(ve.Problems[0], want) {
				t.Errorf("got %q, want one problem containing %q", ve.Problems, want)
			}
		})
	}
	_, err := Load(env(with(nil, "STORAGEGW_CORS_ORIGINS", "*,https://app.example.com")))
	if err == nil || !strings.Contains(err.Error(), `STORAGEGW_CORS_ORIGINS lists "*" with other origins`) {
		t.Errorf("got %v, want a refusal of * among origins", err)
	}
}
