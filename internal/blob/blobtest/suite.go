// Package blobtest is the conformance suite for blob.Store: every
// implementation runs Run from its own tests, so that they all keep the
// same contract.
package blobtest

import (
	"testing"

	"github.com/cairn-s3/cairn/internal/blob"
)

// testCase is one contract check, run on a fresh store.
type testCase struct {
	name string
	fn   func(t *testing.T, s blob.Store)
}

// Run runs every contract check as a parallel subtest, each on a fresh
// store from newStore. newStore is called concurrently and should register
// its own cleanup with t. The checks run in parallel because setting up a
// store on a real disk is dominated by I/O latency, not CPU.
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	groups := [][]testCase{lifecycleCases, rangeCases, walkCases, readerCases, concurrencyCases}
	for _, group := range groups {
		for _, tc := range group {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				tc.fn(t, newStore(t))
			})
		}
	}
}
