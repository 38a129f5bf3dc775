package main

import (
	"testing"

	"storagegw/e2e/e2etest"
)

// The commands' tests seed an instance with the end-to-end tests' harness.
type (
	api      = e2etest.API
	response = e2etest.Response
	s3Server = e2etest.S3
)

var (
	newAPI = e2etest.New
	want   = e2etest.Want
	pngOf  = e2etest.PNG
)

func testS3(t *testing.T) s3Server { return e2etest.NewS3(t) }
