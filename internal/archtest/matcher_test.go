package archtest

import (
	"path"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, rel string
		want         bool
	}{
		{"internal/s3", "internal/s3", true},
		{"internal/s3", "internal/s3api", false},
		{"internal/s3", "internal/s3/sub", false},
		{"internal/s3", "internal", false},
		{"internal/meta/...", "internal/meta", true},
		{"internal/meta/...", "internal/meta/sqlmeta", true},
		{"internal/meta/...", "internal/meta/sqlmeta/schema", true},
		{"internal/meta/...", "internal/metadata", false},
		{"internal/meta/...", "internal", false},
		{"internal/...", "internal/anything/at/all", true},
		{"cmd/...", "cmd/cairn", true},
		{"cmd/...", "internal/cmd", false},
		{"internal/*test", "internal/s3test", true},
		{"internal/*test", "internal/s3", false},
		{"internal/*/...", "internal/blob/fsblob", true},
		{"net/http/...", "net/http", true},
		{"net/http/...", "net/http/httptest", true},
		{"net/http/...", "net/httpx", false},
		{"*.*/...", "github.com/minio/crc64nvme", true},
		{"*.*/...", "golang.org/x/sync/errgroup", true},
		{"*.*/...", "encoding/xml", false},
		{"[bad", "[bad", false},
	}
	for _, tt := range tests {
		if got := match(tt.pattern, tt.rel); got != tt.want {
			t.Errorf("match(%q, %q) = %v, want %v", tt.pattern, tt.rel, got, tt.want)
		}
	}
}

// TestCheckFakeGraph proves the checker catches each kind of violation on a
// made-up module laid out like Cairn, and accepts the allowed imports.
func TestCheckFakeGraph(t *testing.T) {
	const mod = "example.com/cairn"
	p := func(rel string) string { return mod + "/" + rel }
	m := module{Path: mod, Packages: map[string][]string{
		// Allowed.
		p("internal/meta"):           {"context", p("internal/s3")},
		p("internal/meta/sqlmeta"):   {"database/sql", p("internal/meta"), p("internal/s3")},
		p("internal/blob/blobtest"):  {p("internal/blob"), p("internal/blob/memblob")},
		p("internal/iam"):            {p("internal/meta"), p("internal/s3")},
		p("internal/object/objtest"): {p("internal/object"), p("internal/meta/sqlmeta"), p("internal/blob/memblob")},
		p("internal/server"):         {"net/http", p("internal/s3api"), p("internal/meta/sqlmeta"), p("internal/blob/fsblob")},
		p("cmd/cairn"):               {p("internal/server"), p("internal/meta/sqlmeta")},
		p("internal/s3test"):         {p("internal/server"), p("internal/blob/memblob")},

		// Violations.
		p("internal/s3"):            {p("internal/meta")},                                          // s3 imports nothing of ours
		p("internal/blob"):          {"net/http/httptest", p("internal/object")},                   // HTTP in storage; upward
		p("internal/checksum"):      {p("internal/s3"), p("internal/meta")},                        // sideways into meta
		p("internal/sigv4"):         {"net/http", "github.com/aws/smithy-go"},                      // stdlib only
		p("internal/object"):        {"net/http", p("internal/meta/sqlmeta"), p("internal/s3api")}, // HTTP; concrete store; upward
		p("internal/s3api"):         {p("internal/object"), p("internal/blob/fsblob"), p("internal/server")},
		p("internal/console"):       {p("internal/meta/sqlmeta")},
		p("internal/server/jobs"):   {p("cmd/cairn")},
		p("internal/meta/metatest"): {p("internal/object")},                                  // test support is not exempt from upward rules
		p("internal/iam/iamtest"):   {p("internal/meta/sqlmeta"), p("internal/blob/fsblob")}, // only meta's stores for iam
		p("internal/newthing"):      {p("internal/s3")},                                      // no rule
		"example.com/other/pkg":     {p("internal/server")},                                  // not ours: ignored
	}}
	var got []string
	for _, v := range check(layering(), m) {
		got = append(got, v.Package+" -> "+v.Import)
	}
	want := []string{
		"internal/blob -> internal/object",
		"internal/blob -> net/http/httptest",
		"internal/checksum -> internal/meta",
		"internal/console -> internal/meta/sqlmeta",
		"internal/iam/iamtest -> internal/blob/fsblob",
		"internal/meta/metatest -> internal/object",
		"internal/newthing -> ",
		"internal/object -> internal/meta/sqlmeta",
		"internal/object -> internal/s3api",
		"internal/object -> net/http",
		"internal/s3 -> internal/meta",
		"internal/s3api -> internal/blob/fsblob",
		"internal/s3api -> internal/server",
		"internal/server/jobs -> cmd/cairn",
		"internal/sigv4 -> github.com/aws/smithy-go",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
}

// TestCheckAllowedGraph checks that a clean module laid out like Cairn, with
// every kind of allowed import, gives no violation.
func TestCheckAllowedGraph(t *testing.T) {
	const mod = "example.com/cairn"
	p := func(rel string) string { return mod + "/" + rel }
	m := module{Path: mod, Packages: map[string][]string{
		p("internal/s3"):              {"errors", "net/http", "strings"},
		p("internal/meta"):            {"context", p("internal/s3")},
		p("internal/meta/sqlmeta"):    {"database/sql", p("internal/meta"), p("internal/s3")},
		p("internal/meta/metatest"):   {"testing", p("internal/meta"), p("internal/meta/sqlmeta")},
		p("internal/blob"):            {p("internal/s3")},
		p("internal/blob/fsblob"):     {"os", p("internal/blob")},
		p("internal/blob/blobtest"):   {p("internal/blob"), p("internal/blob/memblob"), p("internal/blob/fsblob")},
		p("internal/checksum"):        {"hash/crc32", "github.com/minio/crc64nvme", p("internal/s3")},
		p("internal/sigv4"):           {"net/http", p("internal/s3")},
		p("internal/iam"):             {p("internal/meta"), p("internal/s3")},
		p("internal/object"):          {p("internal/meta"), p("internal/blob"), p("internal/checksum"), p("internal/chunk")},
		p("internal/object/objtest"):  {p("internal/object"), p("internal/meta/sqlmeta"), p("internal/blob/memblob")},
		p("internal/s3api"):           {"net/http", p("internal/object"), p("internal/sigv4"), p("internal/iam"), p("internal/s3")},
		p("internal/s3api/s3apitest"): {p("internal/s3api"), p("internal/blob/memblob"), p("internal/meta/sqlmeta")},
		p("internal/console"):         {"embed", p("internal/object"), p("internal/iam")},
		p("internal/server"):          {"net/http", p("internal/s3api"), p("internal/console"), p("internal/meta/sqlmeta"), p("internal/blob/fsblob")},
		p("internal/s3test"):          {p("internal/server"), p("internal/blob/memblob"), p("internal/meta/sqlmeta")},
		p("internal/archtest"):        nil,
		p("cmd/cairn"):                {p("internal/server"), p("internal/meta/sqlmeta"), p("internal/blob/fsblob")},
	}}
	for _, v := range check(layering(), m) {
		t.Errorf("unexpected violation: %s", v)
	}
}

// A violation's message names the package, the import and what is allowed.
func TestViolationMessage(t *testing.T) {
	m := module{Path: "m", Packages: map[string][]string{"m/internal/s3": {"m/internal/meta"}}}
	vs := check(layering(), m)
	if len(vs) != 1 {
		t.Fatalf("got %d violations, want 1: %v", len(vs), vs)
	}
	msg := vs[0].String()
	for _, want := range []string{"internal/s3 imports internal/meta", "nothing of the module"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not contain %q", msg, want)
		}
	}
}

func TestTolerate(t *testing.T) {
	vs := []violation{{Package: "a", Import: "b"}, {Package: "c", Import: "d"}}
	known := []violation{{Package: "a", Import: "b"}, {Package: "x", Import: "y"}}
	remaining, stale := tolerate(vs, known)
	if len(remaining) != 1 || remaining[0].Package != "c" {
		t.Errorf("remaining = %v, want only c -> d", remaining)
	}
	if len(stale) != 1 || stale[0].Package != "x" {
		t.Errorf("stale = %v, want only x -> y", stale)
	}
}

// Every pattern in the table is well formed, and every row can match some
// package (none is shadowed entirely by an earlier, more general row).
func TestLayeringTable(t *testing.T) {
	rules := layering()
	for i, r := range rules {
		for _, pat := range append(append(append([]string{r.Packages}, r.May...), r.TestSupportMay...), r.MustNotUse...) {
			for _, elem := range strings.Split(pat, "/") {
				if _, err := path.Match(elem, ""); err != nil {
					t.Errorf("row %d: bad pattern %q: %v", i, pat, err)
				}
			}
		}
		// The row's own pattern, made concrete, must land on this row.
		rel := strings.ReplaceAll(strings.ReplaceAll(r.Packages, "*", "x"), "...", "x")
		for j := range i {
			if match(rules[j].Packages, rel) {
				t.Errorf("row %d (%s) is shadowed by row %d (%s)", i, r.Packages, j, rules[j].Packages)
			}
		}
	}
}
