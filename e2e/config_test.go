package e2e

import (
	"testing"
	"time"

	"storagegw"
	"storagegw/adapters/spaces"
	"storagegw/configs"
)

// TestOptionsFromConfig: the composition root maps the SPACES_* settings
// to the Spaces store's options.
func TestOptionsFromConfig(t *testing.T) {
	t.Parallel()
	c, err := configs.Load(func(name string) string {
		return map[string]string{"SPACES_ENDPOINT": "nyc3.digitaloceanspaces.com", "SPACES_BUCKET": "files",
			"SPACES_ACCESS_KEY": "AK", "SPACES_SECRET_KEY": "SK", "SPACES_REGION": "nyc3",
			"SPACES_CDN_ENDPOINT":  "https://files.nyc3.cdn.digitaloceanspaces.com",
			"SPACES_PART_SIZE_MIB": "32", "SPACES_REQUEST_TIMEOUT": "5s"}[name]
	})
	if err != nil {
		t.Fatalf("configs.Load: %v", err)
	}
	got := storagegw.SpacesOptions(c)
	want := spaces.Options{Endpoint: "nyc3.digitaloceanspaces.com", Region: "nyc3", Bucket: "files", AccessKey: "AK",
		SecretKey: "SK", CDNEndpoint: "https://files.nyc3.cdn.digitaloceanspaces.com",
		PartSize: 32 << 20, RequestTimeout: 5 * time.Second, OperationTimeout: spaces.DefaultOperationTimeout}
	if got != want {
		t.Errorf("SpacesOptions: got %+v, want %+v (TLS on by default)", got, want)
	}
}
