// Package crashtest holds Cairn's crash test: it builds the real cairn
// binary, runs it as a child process on a data directory, drives it with
// concurrent PutObject, overwrite, CopyObject and DeleteObject traffic and
// multipart uploads (create, UploadPart, UploadPartCopy, Complete with all
// or some parts, Abort) from aws-sdk-go-v2 clients, and kills it with
// SIGKILL at a random moment, often just as a multipart request of a chosen
// kind is in flight. After each kill it restarts the server on the same
// directory and checks, for every key, that what a GET returns is one of
// the states the client may legitimately observe (the last acknowledged
// write, or a write that was in flight at the kill, a Complete included)
// byte for byte, that nothing is half-visible, and that ListObjectsV2
// agrees. It checks every upload: one never completed nor aborted is listed
// with every acknowledged part (a part in flight may be there or not); one
// whose Complete or Abort was acknowledged answers NoSuchUpload, and its
// Complete sent again replays the same ETag; one whose Complete or Abort
// was in flight is either intact, and then completes now, or cleanly gone.
// Every few rounds it stops the server gracefully, runs `cairn gc` and
// opens the stores directly to check that every blob is referenced by an
// object or by a part of an upload in progress, that reference counts equal
// those references, and that no reference points at a missing blob. At the
// end it completes every upload left and reads the results back.
//
// The package has no code outside its tests. Run it with
//
//	go test ./internal/crashtest/
//
// -short runs 3 rounds instead of 12; CAIRN_CRASH_ROUNDS sets the number of
// rounds and CAIRN_CRASH_SEED replays a logged seed.
package crashtest
