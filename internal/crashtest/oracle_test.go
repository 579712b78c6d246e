package crashtest

import (
	"crypto/md5"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"
)

// step is one event of a ledger scenario: "put NAME KEY VERSION",
// "delete NAME KEY", "copy NAME DST SRC", "ack NAME [VERSION|absent]"
// (a copy's result names the version it copied) or "withdraw NAME".
type step string

// play runs a scenario against a fresh ledger whose keys start as base.
func play(t *testing.T, base map[string]state, steps []step) *ledger {
	t.Helper()
	l := newLedger()
	l.startRound(base)
	writes := map[string]*write{}
	for _, s := range steps {
		f := strings.Fields(string(s))
		switch f[0] {
		case "put":
			id := v(f[2], f[3])
			writes[f[1]] = l.begin("put", f[2], "", fixed(present(id)))
		case "delete":
			writes[f[1]] = l.begin("delete", f[2], "", fixed(absent))
		case "copy":
			writes[f[1]] = l.begin("copy", f[2], "from "+f[3], copyOutcomes(f[3]))
		case "ack":
			w := writes[f[1]]
			var result state
			switch {
			case w.Kind == "put":
				result = w.outcomes(nil, w)[0]
			case w.Kind == "copy":
				src, ver, _ := strings.Cut(f[2], "@")
				result = present(v(src, ver))
			}
			l.acknowledge(w, result)
		case "withdraw":
			l.withdraw(writes[f[1]])
		default:
			t.Fatalf("bad step %q", s)
		}
	}
	return l
}

// v is the content a scenario names as KEY and VERSION.
func v(key, version string) contentID {
	n := uint64(0)
	for _, c := range version {
		n = n*10 + uint64(c-'0')
	}
	return contentID{Key: key, Version: n}
}

func sortStates(ss []state) []state {
	slices.SortFunc(ss, func(a, b state) int { return strings.Compare(a.String(), b.String()) })
	return ss
}

func TestLedgerAcceptable(t *testing.T) {
	a1, b1, b2, b3 := present(v("a", "1")), present(v("b", "1")), present(v("b", "2")), present(v("b", "3"))
	a2, a3 := present(v("a", "2")), present(v("a", "3"))
	tests := []struct {
		name  string
		base  map[string]state
		steps []step
		key   string
		want  []state
	}{
		{"no writes keep the initial state", map[string]state{"a": a1}, nil, "a", []state{a1}},
		{"an unknown key starts absent", nil, nil, "a", []state{absent}},
		{"an acknowledged put", nil, []step{"put p a 2", "ack p"}, "a", []state{a2}},
		{"sequential puts: the last wins", nil, []step{"put p a 2", "ack p", "put q a 3", "ack q"}, "a", []state{a3}},
		{"overlapping puts: either", nil, []step{"put p a 2", "put q a 3", "ack p", "ack q"}, "a", []state{a2, a3}},
		{"overlapping puts acknowledged in reverse", nil, []step{"put p a 2", "put q a 3", "ack q", "ack p"}, "a", []state{a2, a3}},
		{"a put in flight may or may not have happened", map[string]state{"a": a1}, []step{"put p a 2"}, "a", []state{a1, a2}},
		{"a delete in flight after an acknowledged put", nil, []step{"put p a 2", "ack p", "delete d a"}, "a", []state{absent, a2}},
		{"an acknowledged delete", map[string]state{"a": a1}, []step{"delete d a", "ack d"}, "a", []state{absent}},
		{"an acknowledged write hides the initial state", map[string]state{"a": a1},
			[]step{"put p a 2", "put q a 3", "ack q"}, "a", []state{a2, a3}},
		{"an acknowledged copy", map[string]state{"b": b1}, []step{"copy c a b", "ack c b@1"}, "a", []state{b1}},
		{"a copy the server refused changes nothing", map[string]state{"a": a1}, []step{"copy c a b", "withdraw c"}, "a", []state{a1}},
		{"a copy in flight: any body the source held from its start", map[string]state{"b": b1},
			[]step{"put p b 2", "copy c a b", "put q b 3"}, "a", []state{absent, b1, b2, b3}},
		{"a copy in flight ignores source states replaced before it started", map[string]state{"b": b1},
			[]step{"put p b 2", "ack p", "copy c a b"}, "a", []state{absent, b2}},
		{"a copy in flight of an absent source", map[string]state{"a": a1}, []step{"copy c a b"}, "a", []state{a1}},
		{"copies in flight both ways terminate", map[string]state{"a": a1, "b": b1},
			[]step{"copy c a b", "copy d b a"}, "a", []state{a1, b1}},
		{"copies in flight both ways terminate (other key)", map[string]state{"a": a1, "b": b1},
			[]step{"copy c a b", "copy d b a"}, "b", []state{a1, b1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := play(t, tt.base, tt.steps)
			got := sortStates(states(l.acceptable(tt.key)))
			if diff := cmp.Diff(sortStates(tt.want), got); diff != "" {
				t.Errorf("acceptable(%s) (-want +got):\n%s\nhistory:\n%s", tt.key, diff, l.history(tt.key))
			}
		})
	}
}

func TestLedgerPossibleDuring(t *testing.T) {
	a1, a2, a3 := present(v("a", "1")), present(v("a", "2")), present(v("a", "3"))
	l := play(t, map[string]state{"a": a1}, []step{"put p a 2", "ack p"}) // clock 2
	l2 := play(t, map[string]state{"a": a1}, []step{"put p a 2", "ack p", "put q a 3", "ack q"})
	tests := []struct {
		name     string
		l        *ledger
		from, to uint64
		want     []state
	}{
		{"before any write", l, 0, 0, []state{a1}},
		{"while the write ran", l, 0, 2, []state{a1, a2}},
		{"after it", l, 2, 2, []state{a2}},
		{"across a later write", l2, 2, 4, []state{a2, a3}},
		{"after both", l2, 4, never, []state{a3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sortStates(states(tt.l.possibleDuring("a", tt.from, tt.to)))
			if diff := cmp.Diff(sortStates(tt.want), got); diff != "" {
				t.Errorf("possibleDuring(a, %d, %d) (-want +got):\n%s", tt.from, tt.to, diff)
			}
		})
	}
}

func TestContents(t *testing.T) {
	c := newContents(42)
	for _, id := range []contentID{{"key-00", 1}, {"key-49", 2}, {"key-07", 123456}} {
		b, etag := c.body(id)
		if got, size, ok := identify(b); !ok || got != id || size != int64(len(b)) {
			t.Errorf("identify(body(%s)) = %v, %d, %v", id, got, size, ok)
		}
		if n := int64(len(b)); n < minSmall || n > maxLarge || (n > maxSmall && n < minLarge) {
			t.Errorf("body(%s) has %d bytes, outside the size classes", id, n)
		}
		if got := c.byETag(etag); len(got) != 1 || got[0] != id {
			t.Errorf("byETag(%s) = %v; want [%s]", etag, got, id)
		}
		if _, e, diff := c.check(id, b); diff != -1 || e != etag {
			t.Errorf("check(%s, its body) = %q, %d; want %q, -1", id, e, diff, etag)
		}
		tests := []struct {
			name string
			b    []byte
			diff int
		}{
			{"last byte changed", append(b[:len(b)-1:len(b)-1], b[len(b)-1]^1), len(b) - 1},
			{"cut short", b[:len(b)-5], len(b) - 5},
			{"header changed", append([]byte("X"), b[1:]...), 0},
		}
		for _, tt := range tests {
			if _, _, diff := c.check(id, tt.b); diff != tt.diff {
				t.Errorf("check(%s, %s) = %d, want %d", id, tt.name, diff, tt.diff)
			}
		}
	}
	if _, _, ok := identify([]byte("not a body\n")); ok {
		t.Errorf("identify accepted a foreign body")
	}
}

func TestContentsComposite(t *testing.T) {
	c := newContents(7)
	a, b := contentID{"key-01", 1}, contentID{"key-02", 2}
	bodyA, etagA := c.sized(a, 2000)
	bodyB, _ := c.body(b)
	if len(bodyA) != 2000 || c.size(a) != 2000 {
		t.Fatalf("sized body has %d bytes, size %d; want 2000", len(bodyA), c.size(a))
	}
	label := contentID{"key-03", 3}
	etag := c.compose(label, []contentID{a, b})
	sumA, sumB := md5.Sum(bodyA), md5.Sum(bodyB)
	want := md5.Sum(append(sumA[:], sumB[:]...))
	if wantETag := hex.EncodeToString(want[:]) + "-2"; etag != wantETag {
		t.Errorf("compose ETag %q, want %q", etag, wantETag)
	}
	if got, ok := c.composite(label.String()); !ok || got != label {
		t.Errorf("composite(%q) = %v, %v; want %v", label, got, ok, label)
	}
	for _, meta := range []string{a.String(), "key-03@vx", "nonsense", ""} {
		if got, ok := c.composite(meta); ok {
			t.Errorf("composite(%q) = %v, want none", meta, got)
		}
	}
	if got, ok := c.leafByETag(etagA); !ok || got != a {
		t.Errorf("leafByETag(A) = %v, %v", got, ok)
	}
	if _, ok := c.leafByETag(etag); ok {
		t.Errorf("leafByETag found a leaf for a composite's ETag")
	}
	if got := c.leaves(label); !slices.Equal(got, []contentID{a, b}) {
		t.Errorf("leaves(label) = %v", got)
	}
	twin := contentID{"key-04", 4}
	c.compose(twin, []contentID{a, b})
	if got := c.byETag(etag); !slices.Equal(got, []contentID{label, twin}) {
		t.Errorf("byETag of two uploads of the same leaves = %v", got)
	}

	whole := append(slices.Clone(bodyA), bodyB...)
	changed := slices.Clone(whole)
	changed[len(bodyA)+10] ^= 1
	tests := []struct {
		name string
		b    []byte
		diff int
	}{
		{"whole", whole, -1},
		{"first leaf only", bodyA, len(bodyA)},
		{"cut in the second leaf", whole[:len(whole)-3], len(whole) - 3},
		{"a byte changed in the second leaf", changed, len(bodyA) + 10},
		{"a byte too many", append(slices.Clone(whole), 'x'), len(whole)},
		{"leaves swapped", append(slices.Clone(bodyB), bodyA...), firstDifference(append(slices.Clone(bodyB), bodyA...), whole)},
	}
	for _, tt := range tests {
		size, gotETag, diff := c.check(label, tt.b)
		if size != int64(len(whole)) || gotETag != etag || diff != tt.diff {
			t.Errorf("check(composite, %s) = %d, %q, %d; want %d, %q, %d", tt.name, size, gotETag, diff, len(whole), etag, tt.diff)
		}
	}
}

func TestCompletable(t *testing.T) {
	parts := func(nums ...int32) []types.Part {
		var ps []types.Part
		for _, n := range nums {
			ps = append(ps, types.Part{PartNumber: aws.Int32(n)})
		}
		return ps
	}
	numbers := func(ps []types.Part) []int32 {
		var ns []int32
		for _, p := range ps {
			ns = append(ns, aws.ToInt32(p.PartNumber))
		}
		return ns
	}
	tests := []struct {
		name   string
		alg    types.ChecksumAlgorithm
		listed []types.Part
		want   []int32
	}{
		{"no checksum: any part", "", parts(2, 4, 5), []int32{2, 4, 5}},
		{"checksum: the run from 1", types.ChecksumAlgorithmCrc32, parts(1, 2, 4), []int32{1, 2}},
		{"checksum: no part 1", types.ChecksumAlgorithmSha256, parts(2, 3), nil},
		{"checksum: all consecutive", types.ChecksumAlgorithmCrc32c, parts(1, 2, 3), []int32{1, 2, 3}},
		{"nothing listed", types.ChecksumAlgorithmCrc32, nil, nil},
	}
	for _, tt := range tests {
		got := numbers(completable(&upload{Alg: tt.alg}, tt.listed))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: completable = %v, want %v", tt.name, got, tt.want)
		}
	}
}
