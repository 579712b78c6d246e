package crashtest

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Object sizes. Small bodies are stored inline in the metadata store (the
// server's default InlineMax is 64 KiB); large ones become blobs. Parts of
// multipart uploads have sizes of their own (see partSize), up to maxLeaf.
const (
	minSmall = 64
	maxSmall = 60 << 10
	minLarge = 100 << 10
	maxLarge = 3 << 20
	maxLeaf  = 6 << 20
	// maxObject bounds what a GET may return: a completed upload of
	// maxPartNumber parts of the largest size.
	maxObject = maxPartNumber * maxLeaf
	// poolSize is the pseudo-random pool bodies are cut from.
	poolSize = maxLeaf
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

// contents generates and recognises bodies. A body (a leaf) is a one-line
// header naming its contentID followed by a slice of a seeded pseudo-random
// pool, so any body can be regenerated from its ID and a body read back
// names the write it came from. A completed multipart upload is a
// composite: the concatenation of its parts' leaves, named by the upload's
// label (see compose). Safe for concurrent use.
type contents struct {
	pool []byte

	mu         sync.Mutex
	etags      map[string][]contentID // ETag of every body handed out
	sums       map[contentID]string   // and the reverse
	sizes      map[contentID]int64    // leaves made with an explicit size
	composites map[contentID]composite
}

// composite is the body of a completed multipart upload.
type composite struct {
	leaves []contentID // the parts' bodies, in part order
	size   int64
}

func newContents(seed uint64) *contents {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	pool := make([]byte, poolSize)
	_, _ = rand.NewChaCha8(key).Read(pool)
	return &contents{
		pool:       pool,
		etags:      map[string][]contentID{},
		sums:       map[contentID]string{},
		sizes:      map[contentID]int64{},
		composites: map[contentID]composite{},
	}
}

// size is the length of body id: about half small (inline), half large
// (blob-backed), fixed by the ID alone unless the body was made by sized.
func (c *contents) size(id contentID) int64 {
	c.mu.Lock()
	n, ok := c.sizes[id]
	c.mu.Unlock()
	if ok {
		return n
	}
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
	if _, known := c.sums[id]; !known {
		c.etags[etag] = append(c.etags[etag], id)
		c.sums[id] = etag
	}
	c.mu.Unlock()
	return b, etag
}

// sized is body for a new leaf whose length is given rather than derived
// from its ID: parts of uploads are sized apart from objects.
func (c *contents) sized(id contentID, size int64) ([]byte, string) {
	c.mu.Lock()
	c.sizes[id] = size
	c.mu.Unlock()
	return c.body(id)
}

// etag returns the ETag of body id: the hex MD5 of a leaf, the multipart
// ETag of a composite.
func (c *contents) etag(id contentID) string {
	c.mu.Lock()
	etag, ok := c.sums[id]
	c.mu.Unlock()
	if !ok {
		_, etag = c.body(id)
	}
	return etag
}

// compose records that label is the body of an upload completed with the
// given leaves, in order, and returns its ETag: the hex MD5 of the parts'
// binary MD5s followed by "-" and the number of parts, as S3 computes it.
func (c *contents) compose(label contentID, leaves []contentID) string {
	all := md5.New()
	var size int64
	for _, leaf := range leaves {
		sum, err := hex.DecodeString(c.etag(leaf))
		if err != nil {
			panic(fmt.Sprintf("leaf %s has no MD5 ETag: %v", leaf, err))
		}
		all.Write(sum)
		size += c.size(leaf)
	}
	etag := fmt.Sprintf("%s-%d", hex.EncodeToString(all.Sum(nil)), len(leaves))
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, known := c.composites[label]; known {
		panic(fmt.Sprintf("upload %s composed twice", label))
	}
	c.composites[label] = composite{leaves: slices.Clone(leaves), size: size}
	c.etags[etag] = append(c.etags[etag], label)
	c.sums[label] = etag
	return etag
}

// composite returns the body an upload whose label reads meta was
// completed with, if compose recorded one.
func (c *contents) composite(meta string) (contentID, bool) {
	key, ver, ok := strings.Cut(meta, "@v")
	if !ok {
		return contentID{}, false
	}
	v, err := strconv.ParseUint(ver, 10, 64)
	if err != nil {
		return contentID{}, false
	}
	id := contentID{Key: key, Version: v}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok = c.composites[id]
	return id, ok
}

// leaves returns the leaves body id is made of: id itself for a leaf.
func (c *contents) leaves(id contentID) []contentID {
	c.mu.Lock()
	defer c.mu.Unlock()
	if comp, ok := c.composites[id]; ok {
		return comp.leaves
	}
	return []contentID{id}
}

// byETag returns the bodies whose ETag is etag (hex, unquoted). A leaf's
// MD5 names one body, but two uploads completed from the same leaves (part
// copies) share a multipart ETag.
func (c *contents) byETag(etag string) []contentID {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.etags[etag])
}

// leafByETag returns the leaf whose MD5 is etag.
func (c *contents) leafByETag(etag string) (contentID, bool) {
	for _, id := range c.byETag(etag) {
		if c.isLeaf(id) {
			return id, true
		}
	}
	return contentID{}, false
}

func (c *contents) isLeaf(id contentID) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, comp := c.composites[id]
	return !comp
}

// check compares b with body id without building the body (reads of every
// key after every crash would otherwise copy tens of megabytes, which the
// race detector makes slow). It returns the expected length and ETag, and
// the offset of the first differing byte, or -1 if b is body id.
func (c *contents) check(id contentID, b []byte) (size int64, etag string, diff int) {
	etag = c.etag(id)
	leaves := c.leaves(id)
	for _, leaf := range leaves {
		size += c.size(leaf)
	}
	var pos int64
	for _, leaf := range leaves {
		n, d := c.compareLeaf(leaf, b[min(pos, int64(len(b))):])
		if d >= 0 {
			return size, etag, int(pos) + d
		}
		pos += n
	}
	if int64(len(b)) > size {
		return size, etag, int(size)
	}
	return size, etag, -1
}

// compareLeaf compares the start of b with leaf id. It returns the leaf's
// length and the offset of the first byte where b differs from it, or -1
// if b starts with the whole leaf.
func (c *contents) compareLeaf(id contentID, b []byte) (size int64, diff int) {
	h, rest := c.parts(id)
	size = int64(len(h) + len(rest))
	// bytes.HasPrefix first: a loop over every byte is slow under -race.
	switch {
	case !bytes.HasPrefix(b, []byte(h)):
		return size, firstDifference(b, []byte(h))
	case !bytes.HasPrefix(b[len(h):], rest):
		return size, len(h) + firstDifference(b[len(h):], rest)
	}
	return size, -1
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
