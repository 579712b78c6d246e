package s3

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// BlobID names an immutable blob. IDs are random and never reused, so a blob
// that the collector removes can never be confused with a later one.
type BlobID [16]byte

// NewBlobID returns a fresh random ID.
func NewBlobID() BlobID {
	var id BlobID
	if _, err := rand.Read(id[:]); err != nil {
		panic("crypto/rand: " + err.Error()) // rand.Read does not fail on supported platforms
	}
	return id
}

// String is the ID as 32 lower-case hex digits, the form used in file names.
func (id BlobID) String() string { return hex.EncodeToString(id[:]) }

// ParseBlobID parses the String form.
func ParseBlobID(s string) (BlobID, error) {
	var id BlobID
	if len(s) != 2*len(id) {
		return id, fmt.Errorf("blob id %q: want %d hex digits", s, 2*len(id))
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return id, fmt.Errorf("blob id %q: %w", s, err)
	}
	return id, nil
}

// Extent is a run of bytes inside a blob. An object's data is the
// concatenation of its extents in order.
type Extent struct {
	Blob   BlobID
	Offset int64
	Length int64
}

// PartInfo describes one part of a multipart object, kept on the object for
// GET ?partNumber=N, GetObjectAttributes and the part-aware checksums.
type PartInfo struct {
	Number   int
	Size     int64
	ETag     string // hex MD5 without quotes
	Checksum string // base64 part checksum in the object's algorithm, or ""
}

// Tag is one object tag.
type Tag struct {
	Key   string
	Value string
}
