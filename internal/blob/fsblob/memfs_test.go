package fsblob_test

import (
	"errors"
	"io"
	"io/fs"
	"testing"

	"github.com/cairn-s3/cairn/internal/blob/fsblob"
)

// absent marks a name that must not exist after the crash.
const absent = "<absent>"

// TestMemFSCrashModel checks the durability model CrashClone implements,
// on which the crash tests rely: what survives is exactly what was synced.
func TestMemFSCrashModel(t *testing.T) {
	tests := []struct {
		name   string
		steps  func(t *testing.T, m *fsblob.MemFS)
		wantAt map[string]string // path → contents after the crash, or absent
	}{
		{
			name: "unsynced directory entry is lost",
			steps: func(t *testing.T, m *fsblob.MemFS) {
				writeFile(t, m, "/d/f", "data", true)
			},
			wantAt: map[string]string{"/d/f": absent},
		},
		{
			name: "synced entry of unsynced data comes back empty",
			steps: func(t *testing.T, m *fsblob.MemFS) {
				writeFile(t, m, "/d/f", "data", false)
				must(t, m.SyncDir("/d"))
			},
			wantAt: map[string]string{"/d/f": ""}, // present, empty
		},
		{
			name: "synced data and entry survive",
			steps: func(t *testing.T, m *fsblob.MemFS) {
				writeFile(t, m, "/d/f", "data", true)
				must(t, m.SyncDir("/d"))
			},
			wantAt: map[string]string{"/d/f": "data"},
		},
		{
			name: "rename without syncing the target directory is lost",
			steps: func(t *testing.T, m *fsblob.MemFS) {
				must(t, m.Mkdir("/e", 0o755))
				must(t, m.SyncDir("/"))
				writeFile(t, m, "/d/f", "data", true)
				must(t, m.SyncDir("/d"))
				must(t, m.Rename("/d/f", "/e/g"))
			},
			wantAt: map[string]string{"/d/f": "data", "/e/g": absent},
		},
		{
			name: "rename with only the target synced leaves both names",
			steps: func(t *testing.T, m *fsblob.MemFS) {
				must(t, m.Mkdir("/e", 0o755))
				must(t, m.SyncDir("/"))
				writeFile(t, m, "/d/f", "data", true)
				must(t, m.SyncDir("/d"))
				must(t, m.Rename("/d/f", "/e/g"))
				must(t, m.SyncDir("/e"))
			},
			wantAt: map[string]string{"/d/f": "data", "/e/g": "data"},
		},
		{
			name: "unsynced remove is undone",
			steps: func(t *testing.T, m *fsblob.MemFS) {
				writeFile(t, m, "/d/f", "data", true)
				must(t, m.SyncDir("/d"))
				must(t, m.Remove("/d/f"))
			},
			wantAt: map[string]string{"/d/f": "data"},
		},
		{
			name: "unsynced mkdir is lost with its contents",
			steps: func(t *testing.T, m *fsblob.MemFS) {
				must(t, m.Mkdir("/d/sub", 0o755))
				writeFile(t, m, "/d/sub/f", "data", true)
				must(t, m.SyncDir("/d/sub"))
			},
			wantAt: map[string]string{"/d/sub/f": absent},
		},
		{
			name: "data written after the last sync is lost",
			steps: func(t *testing.T, m *fsblob.MemFS) {
				f, err := m.Create("/d/f")
				must(t, err)
				_, err = f.Write([]byte("kept"))
				must(t, err)
				must(t, f.Sync())
				_, err = f.Write([]byte("lost"))
				must(t, err)
				must(t, f.Close())
				must(t, m.SyncDir("/d"))
			},
			wantAt: map[string]string{"/d/f": "kept"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fsblob.NewMemFS()
			must(t, m.Mkdir("/d", 0o755))
			must(t, m.SyncDir("/"))
			tt.steps(t, m)
			c := m.CrashClone()
			for name, want := range tt.wantAt {
				got, err := readFile(c, name)
				if want == absent {
					if !errors.Is(err, fs.ErrNotExist) {
						t.Errorf("%s after crash: %q, %v; want it absent", name, got, err)
					}
				} else if err != nil || got != want {
					t.Errorf("%s after crash: %q, %v; want %q", name, got, err, want)
				}
			}
		})
	}
}

func TestMemFSFiles(t *testing.T) {
	m := fsblob.NewMemFS()
	if _, err := m.Create("/missing/f"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Create in a missing directory = %v", err)
	}
	writeFile(t, m, "/f", "0123456789", false)
	if _, err := m.Create("/f"); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Create of an existing file = %v, want ErrExist", err)
	}
	if err := m.Mkdir("/f", 0o755); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Mkdir over a file = %v, want ErrExist", err)
	}
	f, err := m.Open("/f")
	must(t, err)
	if _, err := f.Write([]byte("x")); err == nil {
		t.Error("Write to a file opened for reading succeeded")
	}
	if _, err := f.Seek(4, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	// An open file survives the removal of its name.
	must(t, m.Remove("/f"))
	rest, err := io.ReadAll(f)
	if err != nil || string(rest) != "456789" {
		t.Errorf("read after Seek and Remove = %q, %v", rest, err)
	}
	fi, err := f.Stat()
	if err != nil || fi.Size() != 10 || fi.Name() != "f" {
		t.Errorf("Stat = %v, %v", fi, err)
	}
	must(t, f.Close())
	if err := f.Close(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("second Close = %v, want ErrClosed", err)
	}
	must(t, m.Mkdir("/d", 0o755))
	writeFile(t, m, "/d/x", "x", false)
	if err := m.Remove("/d"); err == nil {
		t.Error("Remove of a non-empty directory succeeded")
	}
	if err := m.Rename("/d/x", "/d"); err == nil {
		t.Error("Rename over a directory succeeded")
	}
	if _, err := m.Open("/d"); err == nil {
		t.Error("Open of a directory succeeded")
	}
}

func writeFile(t *testing.T, m *fsblob.MemFS, name, data string, sync bool) {
	t.Helper()
	f, err := m.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	if sync {
		must(t, f.Sync())
	}
	must(t, f.Close())
}

func readFile(m *fsblob.MemFS, name string) (string, error) {
	f, err := m.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	return string(b), err
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
