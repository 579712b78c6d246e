//go:build race

package s3test_test

// listScale is how many parts and uploads the listing tests create. Under
// the race detector every SQLite statement costs five to ten times as much,
// so they stop just past one full page of 1,000; builds without -race run
// S3's full 10,000.
const listScale = 1100

// bigObjectSize is the size of the big-object client tests. Under the race
// detector every byte copied costs a shadow-memory update, and 2 GiB twice
// would take minutes: the race build checks the same code paths with 128
// MiB (8 parts), the normal build with just over 2 GiB.
const bigObjectSize = 128<<20 + 123
