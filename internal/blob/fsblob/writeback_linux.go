package fsblob

import "golang.org/x/sys/unix"

// writeback starts writing [off, off+n) of f to disk and waits for the
// range before it, [prevOff, off), to be written. A blob is then flushed
// while it streams in: the final fsync waits only for the tail, and a writer
// never has more than two chunks of dirty pages, so the kernel does not
// stall everyone on a burst of dirty memory. Durability still comes from
// the fsync in Commit; this only moves the work earlier. Files that are not
// OS files (the test FS) are left alone.
func writeback(f File, prevOff, off, n int64) {
	fd, ok := f.(interface{ Fd() uintptr })
	if !ok {
		return
	}
	h := int(fd.Fd())
	_ = unix.SyncFileRange(h, off, n, unix.SYNC_FILE_RANGE_WRITE)
	if off > prevOff {
		_ = unix.SyncFileRange(h, prevOff, off-prevOff, unix.SYNC_FILE_RANGE_WAIT_BEFORE|unix.SYNC_FILE_RANGE_WRITE|unix.SYNC_FILE_RANGE_WAIT_AFTER)
	}
}
