package fsblob

import (
	"errors"
	"io/fs"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Errors of MemFS that have no io/fs equivalent.
var (
	errNotDir   = errors.New("not a directory")
	errIsDir    = errors.New("is a directory")
	errNotEmpty = errors.New("directory not empty")
)

// MemFS is an in-memory FS for tests. It tracks what has been made
// durable, so that a test can simulate a power loss with CrashClone (for
// example between a blob's Commit and the metadata commit that refers to
// it). It is safe for
// concurrent use. Its durability model is the strictest a POSIX filesystem
// allows:
//
//   - a file's contents survive as of its last File.Sync;
//   - a directory's entries (names created, renamed in or out, removed)
//     survive as of its last SyncDir; a new directory starts out empty;
//   - the root directory always exists.
//
// So a file that was synced and renamed, but whose new directory was not
// synced, is lost; a file whose directory entry was synced but whose data
// was not comes back empty or short.
type MemFS struct {
	mu   sync.Mutex
	root *memNode
}

var _ FS = (*MemFS)(nil)

// memNode is a file or directory. Directory entries point at nodes, so a
// node reachable under two names (through a rename whose source directory
// was not synced) is one inode, as on disk.
type memNode struct {
	dir     bool
	modTime time.Time
	// Files.
	data   []byte
	synced []byte
	// Directories.
	entries       map[string]*memNode
	syncedEntries map[string]*memNode
}

// NewMemFS returns an empty MemFS.
func NewMemFS() *MemFS {
	return &MemFS{root: newDirNode()}
}

func newDirNode() *memNode {
	return &memNode{dir: true, modTime: time.Now(), entries: map[string]*memNode{}, syncedEntries: map[string]*memNode{}}
}

// CrashClone returns the filesystem as it would be found after a power loss
// at this instant: only what was synced, with everything synced. The
// receiver is unchanged and can still be used.
func (m *MemFS) CrashClone() *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	clones := map[*memNode]*memNode{}
	var clone func(n *memNode) *memNode
	clone = func(n *memNode) *memNode {
		if c, ok := clones[n]; ok {
			return c
		}
		c := &memNode{dir: n.dir, modTime: n.modTime}
		clones[n] = c
		if !n.dir {
			c.data = slices.Clone(n.synced)
			c.synced = slices.Clone(n.synced)
			return c
		}
		c.entries = make(map[string]*memNode, len(n.syncedEntries))
		for name, child := range n.syncedEntries {
			c.entries[name] = clone(child)
		}
		c.syncedEntries = maps.Clone(c.entries)
		return c
	}
	root := clone(m.root)
	// The root is never lost, whatever was synced of its parent.
	return &MemFS{root: root}
}

// split turns a name into its path elements below the root.
func split(name string) []string {
	p := path.Clean("/" + filepath.ToSlash(name))
	if p == "/" {
		return nil
	}
	return strings.Split(p[1:], "/")
}

// lookup finds the node called name. The caller holds m.mu.
func (m *MemFS) lookup(op, name string) (*memNode, error) {
	n := m.root
	for _, elem := range split(name) {
		if !n.dir {
			return nil, &fs.PathError{Op: op, Path: name, Err: errNotDir}
		}
		child, ok := n.entries[elem]
		if !ok {
			return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		n = child
	}
	return n, nil
}

// lookupParent finds the directory that holds name and name's last
// element. The caller holds m.mu.
func (m *MemFS) lookupParent(op, name string) (*memNode, string, error) {
	elems := split(name)
	if len(elems) == 0 {
		return nil, "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	dir, err := m.lookup(op, strings.Join(elems[:len(elems)-1], "/"))
	if err != nil {
		return nil, "", err
	}
	if !dir.dir {
		return nil, "", &fs.PathError{Op: op, Path: name, Err: errNotDir}
	}
	return dir, elems[len(elems)-1], nil
}

// Create implements FS.
func (m *MemFS) Create(name string) (File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	dir, base, err := m.lookupParent("create", name)
	if err != nil {
		return nil, err
	}
	if _, ok := dir.entries[base]; ok {
		return nil, &fs.PathError{Op: "create", Path: name, Err: fs.ErrExist}
	}
	n := &memNode{modTime: time.Now()}
	dir.entries[base] = n
	return &memFile{fs: m, node: n, name: name, writable: true}, nil
}

// Open implements FS.
func (m *MemFS) Open(name string) (File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup("open", name)
	if err != nil {
		return nil, err
	}
	if n.dir {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errIsDir}
	}
	return &memFile{fs: m, node: n, name: name}, nil
}

// Rename implements FS for files; it refuses to replace a directory.
func (m *MemFS) Rename(oldname, newname string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	odir, obase, err := m.lookupParent("rename", oldname)
	if err != nil {
		return err
	}
	n, ok := odir.entries[obase]
	if !ok {
		return &fs.PathError{Op: "rename", Path: oldname, Err: fs.ErrNotExist}
	}
	ndir, nbase, err := m.lookupParent("rename", newname)
	if err != nil {
		return err
	}
	if old, ok := ndir.entries[nbase]; ok {
		if old == n {
			return nil
		}
		if old.dir || n.dir {
			return &fs.PathError{Op: "rename", Path: newname, Err: errIsDir}
		}
	}
	delete(odir.entries, obase)
	ndir.entries[nbase] = n
	return nil
}

// Remove implements FS.
func (m *MemFS) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	dir, base, err := m.lookupParent("remove", name)
	if err != nil {
		return err
	}
	n, ok := dir.entries[base]
	if !ok {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	if n.dir && len(n.entries) > 0 {
		return &fs.PathError{Op: "remove", Path: name, Err: errNotEmpty}
	}
	delete(dir.entries, base)
	return nil
}

// Mkdir implements FS; perm is ignored.
func (m *MemFS) Mkdir(name string, _ fs.FileMode) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	dir, base, err := m.lookupParent("mkdir", name)
	if errors.Is(err, fs.ErrInvalid) {
		return &fs.PathError{Op: "mkdir", Path: name, Err: fs.ErrExist} // the root
	}
	if err != nil {
		return err
	}
	if _, ok := dir.entries[base]; ok {
		return &fs.PathError{Op: "mkdir", Path: name, Err: fs.ErrExist}
	}
	dir.entries[base] = newDirNode()
	return nil
}

// ReadDir implements FS, sorted by name so that tests are deterministic.
func (m *MemFS) ReadDir(name string) ([]fs.DirEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if !n.dir {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errNotDir}
	}
	out := make([]fs.DirEntry, 0, len(n.entries))
	for _, base := range slices.Sorted(maps.Keys(n.entries)) {
		out = append(out, fs.FileInfoToDirEntry(n.entries[base].info(base)))
	}
	return out, nil
}

// Stat implements FS.
func (m *MemFS) Stat(name string) (fs.FileInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup("stat", name)
	if err != nil {
		return nil, err
	}
	return n.info(path.Base("/" + filepath.ToSlash(name))), nil
}

// SyncDir implements FS.
func (m *MemFS) SyncDir(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup("syncdir", name)
	if err != nil {
		return err
	}
	if !n.dir {
		return &fs.PathError{Op: "syncdir", Path: name, Err: errNotDir}
	}
	n.syncedEntries = maps.Clone(n.entries)
	return nil
}

// info snapshots a node's metadata. The caller holds the MemFS lock.
func (n *memNode) info(name string) fs.FileInfo {
	return memInfo{name: name, size: int64(len(n.data)), dir: n.dir, modTime: n.modTime}
}

// memInfo is the fs.FileInfo of a MemFS node.
type memInfo struct {
	name    string
	size    int64
	dir     bool
	modTime time.Time
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) ModTime() time.Time { return i.modTime }
func (i memInfo) IsDir() bool        { return i.dir }
func (i memInfo) Sys() any           { return nil }

func (i memInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | dirPerm
	}
	return filePerm
}
