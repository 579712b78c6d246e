package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// layering is Cairn's import table, one row per layer or package family,
// from the bottom up. The first row whose Packages pattern matches a package
// applies, so specific rows come before general ones. To add a package,
// add or extend a row; see rule for the pattern syntax.
func layering() []rule {
	var (
		noHTTP     = []string{"net/http/..."} // storage never speaks HTTP
		thirdParty = []string{"*.*/..."}      // a dot in the first element: not the standard library
		s3         = "internal/s3"
		// What the layers above may use of the layer above s3: the store
		// interfaces but not their implementations, and the pure packages.
		storageLayer = []string{s3, "internal/meta", "internal/blob", "internal/chunk/...",
			"internal/checksum/...", "internal/sigv4/...", "internal/iam/...",
			// the vendor signature verifiers sit beside sigv4
			"internal/cosauth/...", "internal/bceauth/...", "internal/sigv2/..."}
		// The store implementations (and their test support), which only
		// the wiring and test-support packages may import.
		concreteStores = []string{"internal/meta/...", "internal/blob/..."}
	)
	// with returns base and more in a new slice, so rows share no array.
	with := func(base []string, more ...string) []string {
		return append(append([]string(nil), base...), more...)
	}
	return []rule{
		{Packages: "internal/s3", MustNotUse: thirdParty},

		// meta, blob, chunk, checksum, sigv4, iam.
		{Packages: "internal/meta", May: []string{s3}, MustNotUse: noHTTP},
		// Store implementations (sqlmeta) and test support (metatest)
		// import the interface package and their own sub-packages.
		{Packages: "internal/meta/...", May: []string{s3, "internal/meta/..."}, MustNotUse: noHTTP},
		{Packages: "internal/blob", May: []string{s3}, MustNotUse: noHTTP},
		{Packages: "internal/blob/...", May: []string{s3, "internal/blob/..."}, MustNotUse: noHTTP},
		{Packages: "internal/chunk/...", May: []string{s3, "internal/chunk/..."}, MustNotUse: noHTTP},
		{Packages: "internal/checksum/...", May: []string{s3, "internal/checksum/..."}},
		{Packages: "internal/sigv4/...", May: []string{s3, "internal/sigv4/..."}, MustNotUse: thirdParty},
		{Packages: "internal/cosauth/...", May: []string{s3, "internal/cosauth/..."}, MustNotUse: thirdParty},
		{Packages: "internal/sigv2/...", May: []string{s3, "internal/sigv2/..."}, MustNotUse: thirdParty},
		{Packages: "internal/bceauth/...", May: []string{s3, "internal/bceauth/..."}, MustNotUse: thirdParty},
		// iam keeps users and keys as meta records.
		{Packages: "internal/iam/...", May: []string{s3, "internal/meta", "internal/iam/..."},
			TestSupportMay: []string{"internal/meta/..."}},

		// object: the service over the storage interfaces.
		{Packages: "internal/object/...", May: with(storageLayer, "internal/object/..."),
			TestSupportMay: concreteStores, MustNotUse: noHTTP},

		// s3api, console: HTTP on top of object; never a concrete store.
		{Packages: "internal/s3api/...", May: with(storageLayer, "internal/object/...", "internal/s3api/..."),
			TestSupportMay: concreteStores},
		{Packages: "internal/console/...", May: with(storageLayer, "internal/object/...", "internal/console/..."),
			TestSupportMay: concreteStores},

		// server: everything below it, not cmd.
		{Packages: "internal/server/...", May: with(storageLayer, "internal/meta/...", "internal/blob/...",
			"internal/object/...", "internal/s3api/...", "internal/console/...", "internal/server/...")},

		// Whole-system test support: an in-process server and SDK clients.
		{Packages: "internal/s3test/...", May: []string{"internal/..."}},
		// The crash test drives the cairn binary and inspects the concrete
		// stores of its data directory: the server and everything below.
		{Packages: "internal/crashtest/...", May: with(storageLayer, "internal/meta/...", "internal/blob/...",
			"internal/object/...", "internal/s3api/...", "internal/server/...", "internal/crashtest/...")},
		// The load generator behind `cairn bench` is a client: the shared
		// vocabulary and client libraries, nothing of the server's.
		{Packages: "internal/loadgen/...", May: []string{s3, "internal/loadgen/..."}},
		// This package: tests only.
		{Packages: "internal/archtest"},

		// The composition root wires everything.
		{Packages: "cmd/...", May: []string{"internal/..."}},
	}
}

// TestLayering checks every non-test package of the module against the
// layering table.
func TestLayering(t *testing.T) {
	m, loadErrs, err := loadModule()
	if err != nil {
		t.Fatal(err)
	}
	// Packages that do not build yet still list their imports; check what
	// there is and say what could not be loaded.
	for _, e := range loadErrs {
		t.Logf("go list: %s", e)
	}
	if len(m.Packages) == 0 {
		t.Fatal("go list found no packages")
	}
	vs, stale := tolerate(check(layering(), m), knownViolations())
	for _, v := range vs {
		t.Error(v)
	}
	for _, v := range stale {
		t.Errorf("%s no longer happens: remove it from knownViolations", v)
	}
	if len(vs) == 0 && len(stale) == 0 {
		t.Logf("%d packages respect the layering (%d known violations tolerated)", len(m.Packages), len(knownViolations()))
	}
}

// knownViolations are imports that break the layering in the current tree
// and are tolerated until their package is fixed, each with what to do. An
// entry that no longer occurs fails the test, so the list can only shrink.
func knownViolations() []violation {
	return nil
}

// tolerate removes the known violations from vs and returns what remains,
// and the known violations that did not occur.
func tolerate(vs, known []violation) (remaining, stale []violation) {
	seen := make(map[[2]string]bool)
	for _, v := range vs {
		key := [2]string{v.Package, v.Import}
		if slices.ContainsFunc(known, func(k violation) bool { return [2]string{k.Package, k.Import} == key }) {
			seen[key] = true
			continue
		}
		remaining = append(remaining, v)
	}
	for _, k := range known {
		if !seen[[2]string{k.Package, k.Import}] {
			stale = append(stale, k)
		}
	}
	return remaining, stale
}

// listedPackage is what `go list -json` says of a package.
type listedPackage struct {
	ImportPath string
	Imports    []string
	Error      *struct{ Err string }
}

// loadModule lists the module containing the working directory with the go
// command: its path and every non-test package with its imports. loadErrs
// are per-package errors (broken code mid-edit), err is a failure to list.
func loadModule() (m module, loadErrs []string, err error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return module{}, nil, fmt.Errorf("the layering test needs the go command: %w", err)
	}
	run := func(dir string, args ...string) ([]byte, error) {
		cmd := exec.Command(goCmd, args...)
		cmd.Dir = dir
		// Never reach the network (the test must be fast and hermetic) and
		// never let a workspace file change which module is listed.
		cmd.Env = append(os.Environ(), "GOPROXY=off", "GOWORK=off")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return out, nil
	}

	out, err := run(".", "list", "-m", "-f", "{{.Path}}\n{{.Dir}}")
	if err != nil {
		return module{}, nil, err
	}
	modPath, modDir, ok := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if !ok {
		return module{}, nil, fmt.Errorf("go list -m: unexpected output %q", out)
	}

	out, err = run(modDir, "list", "-e", "-json=ImportPath,Imports,Error", "./...")
	if err != nil {
		return module{}, nil, err
	}
	m = module{Path: modPath, Packages: map[string][]string{}}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return module{}, nil, fmt.Errorf("decoding go list output: %w", err)
		}
		if p.Error != nil {
			loadErrs = append(loadErrs, fmt.Sprintf("%s: %s", p.ImportPath, p.Error.Err))
		}
		m.Packages[p.ImportPath] = p.Imports
	}
	return m, loadErrs, nil
}
