package crashtest

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
)

// Object sizes. Small bodies are stored inline in the metadata store (the
// server's default InlineMax is 64 KiB); large ones become blobs.
const (
	minSmall = 64
	maxSmall = 60 << 10
	minLarge = 100 << 10
	maxLarge = 3 << 20
	// poolSize is the pseudo-random pool bodies are cut from.
	poolSize = maxLarge
)

// contentID names one body the workload wrote: the key it was first PUT
// to and a version unique within the test. CopyObject carries a contentID
// to other keys, so the key of a contentID need not be the key it is read
// from.
type contentID struct {
	Key     string
	Version uint64
}

func (c contentID) String() string { return fmt.Sprintf("%s@v%d", c.Key, c.Version) }

// contents generates and recognises bodies. A body is a one-line header
// naming its contentID followed by a slice of a seeded pseudo-random pool,
// so any body can be regenerated from its ID and a body read back names
// the write it came from. Safe for concurrent use.
type contents struct {
	pool []byte

	mu    sync.Mutex
	etags map[string]contentID // hex MD5 of every body handed out
	sums  map[contentID]string // and the reverse
}

func newContents(seed uint64) *contents {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	pool := make([]byte, poolSize)
	_, _ = rand.NewChaCha8(key).Read(pool)
	return &contents{pool: pool, etags: map[string]contentID{}, sums: map[contentID]string{}}
}

// size is the length of body id: about half small (inline), half large
// (blob-backed), fixed by the ID alone.
func (c *contents) size(id contentID) int64 {
	h := sha256.Sum256(fmt.Appendf(nil, "size/%s/%d", id.Key, id.Version))
	r := rand.New(rand.NewPCG(binary.LittleEndian.Uint64(h[:8]), binary.LittleEndian.Uint64(h[8:16])))
	if r.IntN(2) == 0 {
		return int64(minSmall + r.IntN(maxSmall-minSmall+1))
	}
	return int64(minLarge + r.IntN(maxLarge-minLarge+1))
}

func header(id contentID, size int64) string {
	return fmt.Sprintf("cairn-crash %s %d %d\n", id.Key, id.Version, size)
}

// parts returns the header of body id and the slice of the pool that
// follows it. The slice starts at an ID-dependent offset so that bodies
// differ beyond their header.
func (c *contents) parts(id contentID) (string, []byte) {
	size := c.size(id)
	h := header(id, size)
	off := int(id.Version * 7919 % uint64(poolSize-size+1))
	return h, c.pool[off : off+int(size)-len(h)]
}

// body returns the bytes of body id and their hex MD5, which it remembers
// so that an ETag can later be mapped back to its body.
func (c *contents) body(id contentID) ([]byte, string) {
	h, rest := c.parts(id)
	b := make([]byte, 0, len(h)+len(rest))
	b = append(append(b, h...), rest...)
	sum := md5.Sum(b)
	etag := hex.EncodeToString(sum[:])
	c.mu.Lock()
	c.etags[etag], c.sums[id] = id, etag
	c.mu.Unlock()
	return b, etag
}

// byETag returns the body whose MD5 is etag (hex, unquoted).
func (c *contents) byETag(etag string) (contentID, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.etags[etag]
	return id, ok
}

// check compares b with body id without building the body (reads of every
// key after every crash would otherwise copy tens of megabytes, which the
// race detector makes slow). It returns the expected length and MD5, and
// the offset of the first differing byte, or -1 if b is body id.
func (c *contents) check(id contentID, b []byte) (size int64, etag string, diff int) {
	h, rest := c.parts(id)
	size = int64(len(h) + len(rest))
	c.mu.Lock()
	etag, ok := c.sums[id]
	c.mu.Unlock()
	if !ok {
		_, etag = c.body(id)
	}
	switch {
	case len(b) < len(h) || string(b[:len(h)]) != h:
		return size, etag, firstDifference(b, []byte(h))
	case !bytes.Equal(b[len(h):], rest):
		return size, etag, len(h) + firstDifference(b[len(h):], rest)
	}
	return size, etag, -1
}

// identify parses the header of a body read back, saying which body it
// claims to be; ok is false for bytes that are no body of this test.
func identify(b []byte) (id contentID, size int64, ok bool) {
	line, _, found := bytes.Cut(b[:min(len(b), 128)], []byte("\n"))
	if !found {
		return contentID{}, 0, false
	}
	f := strings.Fields(string(line))
	if len(f) != 4 || f[0] != "cairn-crash" {
		return contentID{}, 0, false
	}
	v, err1 := strconv.ParseUint(f[2], 10, 64)
	n, err2 := strconv.ParseInt(f[3], 10, 64)
	if err1 != nil || err2 != nil {
		return contentID{}, 0, false
	}
	return contentID{Key: f[1], Version: v}, n, true
}

// firstDifference is the offset of the first byte where a and b differ,
// or the shorter length if one is a prefix of the other.
func firstDifference(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
