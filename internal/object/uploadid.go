package object

import (
	"crypto/rand"
	"encoding/binary"
	"time"
)

// uploadIDAlphabet is in ASCII order, so IDs compare like the bytes they
// encode.
const uploadIDAlphabet = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

// newUploadID returns an upload ID that starts with its initiation time:
// 8 bytes of Unix nanoseconds then 16 random bytes, in a 6-bit encoding
// that sorts like the bytes. Uploads of a key are listed by initiation
// time, so ordering by ID is the same order, and a marker whose upload has
// since completed still says where to resume.
func newUploadID(initiated time.Time) string {
	var raw [24]byte
	binary.BigEndian.PutUint64(raw[:8], uint64(initiated.UnixNano()))
	_, _ = rand.Read(raw[8:])
	return encodeSortable(raw[:])
}

// uploadIDTime recovers the initiation time of an ID made by newUploadID;
// ok is false for anything else.
func uploadIDTime(id string) (time.Time, bool) {
	raw, ok := decodeSortable(id)
	if !ok || len(raw) != 24 {
		return time.Time{}, false
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(raw[:8]))).UTC(), true
}

func encodeSortable(b []byte) string {
	out := make([]byte, 0, (len(b)*8+5)/6)
	var acc uint32
	bits := 0
	for _, c := range b {
		acc = acc<<8 | uint32(c)
		bits += 8
		for bits >= 6 {
			bits -= 6
			out = append(out, uploadIDAlphabet[(acc>>bits)&63])
		}
	}
	if bits > 0 {
		out = append(out, uploadIDAlphabet[(acc<<(6-bits))&63])
	}
	return string(out)
}

func decodeSortable(s string) ([]byte, bool) {
	out := make([]byte, 0, len(s)*6/8)
	var acc uint32
	bits := 0
	for i := 0; i < len(s); i++ {
		v := indexSortable(s[i])
		if v < 0 {
			return nil, false
		}
		acc = acc<<6 | uint32(v)
		bits += 6
		if bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>bits))
		}
	}
	return out, true
}

func indexSortable(c byte) int {
	switch {
	case c == '-':
		return 0
	case c >= '0' && c <= '9':
		return 1 + int(c-'0')
	case c >= 'A' && c <= 'Z':
		return 11 + int(c-'A')
	case c == '_':
		return 37
	case c >= 'a' && c <= 'z':
		return 38 + int(c-'a')
	}
	return -1
}
