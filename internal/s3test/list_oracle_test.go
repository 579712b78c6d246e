package s3test_test

import (
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
)

// listEntry is one element of a listing: a key or a common prefix.
type listEntry struct {
	name   string
	prefix bool
}

// oracleList is what S3 lists for sorted keys: keys with the prefix after
// the marker, those containing the delimiter after the prefix folded into
// one common prefix each. A common prefix appears only if it sorts after
// the marker ("CommonPrefixes is filtered out from results if it is not
// lexicographically greater than the StartAfter value", AWS SDK reference
// for ListObjectsV2 Delimiter).
func oracleList(keys []string, prefix, delimiter, marker string) []listEntry {
	var out []listEntry
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if delimiter != "" {
			if i := strings.Index(k[len(prefix):], delimiter); i >= 0 {
				cp := k[:len(prefix)+i+len(delimiter)]
				if cp > marker && (len(out) == 0 || out[len(out)-1].name != cp) {
					out = append(out, listEntry{cp, true})
				}
				continue
			}
		}
		if k > marker {
			out = append(out, listEntry{k, false})
		}
	}
	return out
}

// listPage merges one page's keys and prefixes into key order.
func listPage(keys, prefixes []string) []listEntry {
	var page []listEntry
	for _, k := range keys {
		page = append(page, listEntry{k, false})
	}
	for _, p := range prefixes {
		page = append(page, listEntry{p, true})
	}
	slices.SortFunc(page, func(a, b listEntry) int { return strings.Compare(a.name, b.name) })
	return page
}

// listQuery is one randomly chosen listing.
type listQuery struct {
	prefix, delimiter, marker string
	maxKeys                   int
}

// keyModel generates keys from a small alphabet with "/" and a two-byte
// character, so that prefixes, delimiters and byte order all get exercised.
type keyModel struct{ rng *rand.Rand }

var keyAlphabet = []string{"a", "b", "/", "é"}

func (m keyModel) key(maxLen int) string {
	var b strings.Builder
	for range 1 + m.rng.IntN(maxLen) {
		b.WriteString(keyAlphabet[m.rng.IntN(len(keyAlphabet))])
	}
	return b.String()
}

func (m keyModel) query() listQuery {
	q := listQuery{maxKeys: []int{1, 2, 3, 5, 1000}[m.rng.IntN(5)]}
	if m.rng.IntN(3) > 0 {
		q.prefix = m.key(2)
	}
	switch m.rng.IntN(5) {
	case 0, 1:
		q.delimiter = "/"
	case 2:
		q.delimiter = keyAlphabet[m.rng.IntN(len(keyAlphabet))]
	case 3:
		q.delimiter = "b/"
	}
	if m.rng.IntN(3) == 0 {
		q.marker = m.key(4)
	}
	return q
}

// TestListOracle applies random puts and deletes, then checks every listing
// flavour, paginated to the end, against a sorted slice of the live keys.
func TestListOracle(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CAIRN_LIST_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (set CAIRN_LIST_SEED to replay)", seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	m := keyModel{rng}
	f := newFixture(t)
	b := f.bucket(t)
	live := map[string]bool{}

	for round := range 3 {
		for range 40 {
			k := m.key(4)
			switch r := rng.IntN(10); {
			case r < 6:
				f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, k), body: []byte(k)}).wantStatus(t, http.StatusOK)
				live[k] = true
			case r < 8:
				f.raw.do(t, rawRequest{method: http.MethodDelete, path: objectPath(b, k)}).wantStatus(t, http.StatusNoContent)
				delete(live, k)
			default:
				batch := []string{k, m.key(4), m.key(4)}
				f.deleteObjects(t, b, deleteBody(true, batch...)).wantStatus(t, http.StatusOK)
				for _, d := range batch {
					delete(live, d)
				}
			}
		}
		keys := make([]string, 0, len(live))
		for k := range live {
			keys = append(keys, k)
		}
		slices.Sort(keys) // bytewise, as S3 orders keys
		for range 6 {
			q := m.query()
			want := oracleList(keys, q.prefix, q.delimiter, q.marker)
			t.Run("round"+strconv.Itoa(round), func(t *testing.T) {
				checkListV2(t, f, b, q, want)
				checkListV1(t, f, b, q, want)
				checkListMinio(t, f, b, q, keys)
			})
		}
	}
}

// checkPage compares one page with the oracle's slice at offset.
func checkPage(t *testing.T, api string, q listQuery, want []listEntry, offset int, page []listEntry, truncated bool) {
	t.Helper()
	end := min(offset+q.maxKeys, len(want))
	if !slices.Equal(page, want[offset:end]) {
		t.Fatalf("%s %+v: page at %d = %v, want %v", api, q, offset, page, want[offset:end])
	}
	if truncated != (end < len(want)) {
		t.Fatalf("%s %+v: page at %d truncated=%v with %d of %d listed", api, q, offset, truncated, end, len(want))
	}
}

func checkListV2(t *testing.T, f *fixture, b string, q listQuery, want []listEntry) {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(b), MaxKeys: aws.Int32(int32(q.maxKeys))}
	if q.prefix != "" {
		in.Prefix = aws.String(q.prefix)
	}
	if q.delimiter != "" {
		in.Delimiter = aws.String(q.delimiter)
	}
	if q.marker != "" {
		in.StartAfter = aws.String(q.marker)
	}
	for offset := 0; ; {
		out, err := f.aws.ListObjectsV2(bg, in)
		mustOK(t, err, "ListObjectsV2")
		var keys, prefixes []string
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
		}
		page := listPage(keys, prefixes)
		if int(aws.ToInt32(out.KeyCount)) != len(page) {
			t.Fatalf("v2 %+v: KeyCount %d for %d entries", q, aws.ToInt32(out.KeyCount), len(page))
		}
		checkPage(t, "v2", q, want, offset, page, aws.ToBool(out.IsTruncated))
		offset += len(page)
		if !aws.ToBool(out.IsTruncated) {
			return
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

func checkListV1(t *testing.T, f *fixture, b string, q listQuery, want []listEntry) {
	in := &s3.ListObjectsInput{Bucket: aws.String(b), MaxKeys: aws.Int32(int32(q.maxKeys))}
	if q.prefix != "" {
		in.Prefix = aws.String(q.prefix)
	}
	if q.delimiter != "" {
		in.Delimiter = aws.String(q.delimiter)
	}
	if q.marker != "" {
		in.Marker = aws.String(q.marker)
	}
	for offset := 0; ; {
		out, err := f.aws.ListObjects(bg, in)
		mustOK(t, err, "ListObjects")
		var keys, prefixes []string
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
		}
		page := listPage(keys, prefixes)
		checkPage(t, "v1", q, want, offset, page, aws.ToBool(out.IsTruncated))
		offset += len(page)
		if !aws.ToBool(out.IsTruncated) {
			return
		}
		// NextMarker comes only with a delimiter; otherwise the last key.
		next := aws.ToString(out.NextMarker)
		if q.delimiter == "" {
			if next != "" {
				t.Fatalf("v1 %+v: NextMarker %q without a delimiter", q, next)
			}
			next = page[len(page)-1].name
		} else if next != page[len(page)-1].name {
			t.Fatalf("v1 %+v: NextMarker %q, last entry %q", q, next, page[len(page)-1].name)
		}
		in.Marker = aws.String(next)
	}
}

// checkListMinio lists through minio-go, which paginates itself and knows
// only "/" as a delimiter (non-recursive listing).
func checkListMinio(t *testing.T, f *fixture, b string, q listQuery, keys []string) {
	delim := ""
	if q.delimiter == "/" {
		delim = "/"
	}
	want := oracleList(keys, q.prefix, delim, q.marker)
	opts := minio.ListObjectsOptions{Prefix: q.prefix, Recursive: delim == "", StartAfter: q.marker, MaxKeys: q.maxKeys}
	var got []listEntry
	for o := range f.minio.ListObjects(bg, b, opts) {
		mustOK(t, o.Err, "minio ListObjects")
		isPrefix := delim != "" && strings.HasSuffix(o.Key, "/") && o.ETag == ""
		got = append(got, listEntry{o.Key, isPrefix})
	}
	// minio-go hands out each page's objects before its prefixes.
	slices.SortFunc(got, func(a, b listEntry) int { return strings.Compare(a.name, b.name) })
	if !slices.Equal(got, want) {
		t.Fatalf("minio %+v (delimiter %q): %v, want %v", q, delim, got, want)
	}
}
