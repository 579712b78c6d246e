package fsblob

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// FS is the filesystem a Store works through. Every file and directory
// operation of the store goes through it, so that tests can record the
// sequence of operations, inject faults and simulate power loss (see MemFS).
// Names use the host's path separator. Errors for missing names MUST satisfy
// errors.Is(err, fs.ErrNotExist), and Create of an existing name MUST satisfy
// errors.Is(err, fs.ErrExist).
type FS interface {
	// Create creates name, which MUST NOT exist yet, opened for writing.
	Create(name string) (File, error)
	// Open opens name for reading.
	Open(name string) (File, error)
	// Rename atomically replaces newname with oldname.
	Rename(oldname, newname string) error
	// Remove removes a file or an empty directory.
	Remove(name string) error
	// Mkdir creates a directory; its parent MUST exist.
	Mkdir(name string, perm fs.FileMode) error
	// ReadDir lists a directory, in no particular order.
	ReadDir(name string) ([]fs.DirEntry, error)
	// Stat describes name.
	Stat(name string) (fs.FileInfo, error)
	// SyncDir makes the entries of directory name durable: names created,
	// renamed into or removed from it before the call survive a crash.
	SyncDir(name string) error
}

// File is an open file of an FS. *os.File implements it.
type File interface {
	io.Reader
	io.Writer
	io.Seeker
	io.Closer
	// Sync makes the file's contents durable (fsync).
	Sync() error
	// Stat describes the open file.
	Stat() (fs.FileInfo, error)
}

// OS is the FS of the operating system. Its files are *os.File, so that
// readers handed to net/http can be sent with sendfile(2).
type OS struct{}

var _ FS = OS{}

// Blobs are written once and then only read; nothing is executable.
const (
	filePerm = 0o644
	dirPerm  = 0o755
)

// Create implements FS. O_EXCL makes a clash between temporary names fail
// instead of two writers sharing one file.
func (OS) Create(name string) (File, error) {
	return os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
}

// Open implements FS.
func (OS) Open(name string) (File, error) { return os.Open(name) }

// Rename implements FS.
func (OS) Rename(oldname, newname string) error { return os.Rename(oldname, newname) }

// Remove implements FS.
func (OS) Remove(name string) error { return os.Remove(name) }

// Mkdir implements FS.
func (OS) Mkdir(name string, perm fs.FileMode) error { return os.Mkdir(name, perm) }

// ReadDir implements FS. Unlike os.ReadDir it does not sort: a shard may hold
// many thousands of names and Walk promises no order.
func (OS) ReadDir(name string) ([]fs.DirEntry, error) {
	d, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	entries, err := d.ReadDir(-1)
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return entries, err
}

// Stat implements FS.
func (OS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

// SyncDir implements FS by fsyncing the directory itself, which is what
// makes a rename into it durable on Linux filesystems.
func (OS) SyncDir(name string) error {
	d, err := os.Open(name)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync dir %s: %w", name, err)
	}
	return nil
}

// isNotExist reports whether err says a name is missing.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
