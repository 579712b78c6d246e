//go:build !linux

package fsblob

// writeback is a no-op where sync_file_range(2) does not exist; Commit's
// fsync alone makes the blob durable.
func writeback(f File, prevOff, off, n int64) {}
