// Package crashtest holds Cairn's crash test: it builds the real cairn
// binary, runs it as a child process on a data directory, drives it with
// concurrent PutObject, overwrite, CopyObject and DeleteObject traffic from
// aws-sdk-go-v2 clients, and kills it with SIGKILL at a random moment.
// After each kill it restarts the server on the same directory and checks,
// for every key, that what a GET returns is one of the states the client
// may legitimately observe (the last acknowledged write, or a write that was
// in flight at the kill) byte for byte, that nothing is half-visible, and
// that ListObjectsV2 agrees. It then stops the server gracefully, runs
// `cairn gc` and opens the stores directly to check that no blob is left
// unreferenced and no reference points at a missing blob.
//
// The package has no code outside its tests. Run it with
//
//	go test ./internal/crashtest/
//
// -short runs 3 rounds instead of 12; CAIRN_CRASH_ROUNDS sets the number of
// rounds and CAIRN_CRASH_SEED replays a logged seed.
package crashtest
