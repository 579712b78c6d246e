package fsblob_test

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/cairn-s3/cairn/internal/blob/fsblob"
)

// fsOp is one filesystem operation seen by hookFS.
type fsOp struct {
	kind string // create, open, write, sync, close, rename, remove, mkdir, readdir, stat, syncdir
	path string // relative to the store root, temporary suffix normalised
	arg  string // write: byte count; rename: the new name
}

func (o fsOp) String() string {
	if o.arg == "" {
		return o.kind + " " + o.path
	}
	return o.kind + " " + o.path + " " + o.arg
}

// hookFS wraps an FS to record operations and inject faults. fail runs
// before an operation: a non-nil error is returned instead of doing it.
// after runs once an operation has been attempted, with its error. Both
// may be nil and are set before the store is used; they are called
// concurrently.
type hookFS struct {
	fs    fsblob.FS
	root  string
	fail  func(fsOp) error
	after func(fsOp, error)
}

var _ fsblob.FS = (*hookFS)(nil)

// tmpSuffix matches the random part of a temporary file name.
var tmpSuffix = regexp.MustCompile(`\.[0-9a-f]{16}$`)

// rel makes name relative to the store root, with the random suffix of
// temporary names replaced so traces are reproducible.
func (h *hookFS) rel(name string) string {
	r, err := filepath.Rel(h.root, name)
	if err != nil || strings.HasPrefix(r, "..") {
		r = name
	}
	return tmpSuffix.ReplaceAllString(filepath.ToSlash(r), ".RANDOM")
}

// do runs one operation through the hooks.
func (h *hookFS) do(o fsOp, op func() error) error {
	var err error
	if h.fail != nil {
		err = h.fail(o)
	}
	if err == nil {
		err = op()
	}
	if h.after != nil {
		h.after(o, err)
	}
	return err
}

func (h *hookFS) Create(name string) (fsblob.File, error) {
	var f fsblob.File
	err := h.do(fsOp{kind: "create", path: h.rel(name)}, func() (err error) {
		f, err = h.fs.Create(name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &hookFile{File: f, h: h, path: h.rel(name)}, nil
}

func (h *hookFS) Open(name string) (fsblob.File, error) {
	var f fsblob.File
	err := h.do(fsOp{kind: "open", path: h.rel(name)}, func() (err error) {
		f, err = h.fs.Open(name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &hookFile{File: f, h: h, path: h.rel(name)}, nil
}

func (h *hookFS) Rename(oldname, newname string) error {
	return h.do(fsOp{kind: "rename", path: h.rel(oldname), arg: h.rel(newname)}, func() error {
		return h.fs.Rename(oldname, newname)
	})
}

func (h *hookFS) Remove(name string) error {
	return h.do(fsOp{kind: "remove", path: h.rel(name)}, func() error { return h.fs.Remove(name) })
}

func (h *hookFS) Mkdir(name string, perm fs.FileMode) error {
	return h.do(fsOp{kind: "mkdir", path: h.rel(name)}, func() error { return h.fs.Mkdir(name, perm) })
}

func (h *hookFS) ReadDir(name string) ([]fs.DirEntry, error) {
	var entries []fs.DirEntry
	err := h.do(fsOp{kind: "readdir", path: h.rel(name)}, func() (err error) {
		entries, err = h.fs.ReadDir(name)
		return err
	})
	return entries, err
}

func (h *hookFS) Stat(name string) (fs.FileInfo, error) {
	var fi fs.FileInfo
	err := h.do(fsOp{kind: "stat", path: h.rel(name)}, func() (err error) {
		fi, err = h.fs.Stat(name)
		return err
	})
	return fi, err
}

func (h *hookFS) SyncDir(name string) error {
	return h.do(fsOp{kind: "syncdir", path: h.rel(name)}, func() error { return h.fs.SyncDir(name) })
}

// hookFile records the writing operations of a file; reads pass through.
type hookFile struct {
	fsblob.File
	h    *hookFS
	path string
}

func (f *hookFile) Write(p []byte) (int, error) {
	var n int
	err := f.h.do(fsOp{kind: "write", path: f.path, arg: fmt.Sprint(len(p))}, func() (err error) {
		n, err = f.File.Write(p)
		return err
	})
	return n, err
}

func (f *hookFile) Sync() error {
	return f.h.do(fsOp{kind: "sync", path: f.path}, f.File.Sync)
}

func (f *hookFile) Close() error {
	return f.h.do(fsOp{kind: "close", path: f.path}, f.File.Close)
}

// recorder collects operations and their outcome from hookFS.after.
type recorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *recorder) record(o fsOp, err error) {
	line := o.String()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		line += " -> not exist"
	case err != nil:
		line += " -> error"
	}
	r.mu.Lock()
	r.lines = append(r.lines, line)
	r.mu.Unlock()
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n") + "\n"
}
