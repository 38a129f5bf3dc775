package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
)

// TestJobsOnSpaces runs the operator commands on the Spaces environment
// against a real S3 server: doctor's probe, reconcile finding and removing
// an orphan object, and purge removing a soft-deleted file's object.
func TestJobsOnSpaces(t *testing.T) {
	t.Parallel()
	s3 := testS3(t)
	bucket := s3.Bucket(t)
	spacesEnv := s3.SpacesEnv(s3.Endpoint, bucket, nil)
	a := newAPI(t, spacesEnv)
	env := envOf(a)
	for k, v := range spacesEnv {
		env[k] = v
	}

	out, errOut, code := run(t, env, "doctor")
	if code != 0 || !strings.Contains(out, "ok   blob store") || !strings.Contains(out, bucket) {
		t.Fatalf("doctor: got %d %q %q", code, out, errOut)
	}
	if keys := s3.Keys(t, bucket); len(keys) != 0 {
		t.Errorf("doctor left its probe in the bucket: %v", keys)
	}

	rec := a.UploadDoc("org-1", "d1", "a.png", pngOf(100))
	stray := rec.FilePath + "/crashed-upload"
	if _, err := s3.Admin.PutObject(context.Background(), bucket, stray, strings.NewReader("x"), 1, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	out, _, code = run(t, env, "reconcile", "--fix", "--grace", "1ns")
	if code != 0 || !strings.Contains(out, "1 orphans (1 removed)") {
		t.Errorf("reconcile --fix: got %d %q", code, out)
	}
	if keys := s3.Keys(t, bucket); len(keys) != 1 || keys[0] == stray {
		t.Errorf("bucket after reconcile: got %v, want only the file's object", keys)
	}

	want(t, "soft delete", a.SendJSON(http.MethodDelete, "/api/storage/delete", a.Token("org-1", "member"),
		`{"file_path": "`+rec.FilePath+`"}`), http.StatusOK, "")
	out, errOut, code = run(t, env, "purge", "--older-than", "1ns")
	if code != 0 || out != "purged 1 files, "+itoa(rec.SizeBytes)+" bytes, 0 failures\n" {
		t.Errorf("purge: got %d %q %q", code, out, errOut)
	}
	if keys := s3.Keys(t, bucket); len(keys) != 0 {
		t.Errorf("bucket after purge: got %v, want empty", keys)
	}
}
