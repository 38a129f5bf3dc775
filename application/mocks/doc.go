// Package mocks holds the mockery-generated mocks of the application ports,
// for use-case tests that check interactions (make generate rewrites them).
package mocks
