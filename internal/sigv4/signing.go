package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
)

// maxCachedSigningKeys bounds the signing-key cache. A key lives for a day
// per (secret, region), so this covers every active user of a busy server;
// when it is full an arbitrary entry makes room.
const maxCachedSigningKeys = 1024

type signingKeyID struct{ secret, date, region, service string }

// signingKeyCache memoises the four-HMAC derivation of signing keys, which
// would otherwise cost more than verifying the request itself.
type signingKeyCache struct {
	mu   sync.Mutex
	keys map[signingKeyID][32]byte
}

func (c *signingKeyCache) get(secret, date, region, service string) [32]byte {
	id := signingKeyID{secret, date, region, service}
	c.mu.Lock()
	key, ok := c.keys[id]
	c.mu.Unlock()
	if ok {
		return key
	}
	key = deriveSigningKey(secret, date, region, service)
	// Clone the strings: date and region are substrings of a request header
	// that the cache must not keep alive.
	id = signingKeyID{secret, strings.Clone(date), strings.Clone(region), strings.Clone(service)}
	c.mu.Lock()
	if c.keys == nil {
		c.keys = make(map[signingKeyID][32]byte)
	}
	if len(c.keys) >= maxCachedSigningKeys {
		for old := range c.keys {
			delete(c.keys, old)
			break
		}
	}
	c.keys[id] = key
	c.mu.Unlock()
	return key
}

// deriveSigningKey is HMAC("AWS4"+secret, date) → region → service → "aws4_request".
func deriveSigningKey(secret, date, region, service string) [32]byte {
	mac := func(key []byte, data string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(data))
		return h.Sum(nil)
	}
	k := mac([]byte("AWS4"+secret), date)
	k = mac(k, region)
	k = mac(k, service)
	k = mac(k, scopeTerminal)
	return [32]byte(k)
}

// hmacSHA256 computes HMAC-SHA256 with a 32-byte key, using buf as working
// space so that the per-request MACs allocate nothing (crypto/hmac allocates
// two digests and its pads on every call). It returns the MAC and buf for reuse.
func hmacSHA256(buf []byte, key *[32]byte, msg []byte) ([32]byte, []byte) {
	const blockSize = 64
	var pad [blockSize]byte
	copy(pad[:], key[:])
	for i := range pad {
		pad[i] ^= 0x36
	}
	buf = append(append(buf[:0], pad[:]...), msg...)
	inner := sha256.Sum256(buf)
	for i := range pad {
		pad[i] ^= 0x36 ^ 0x5c
	}
	buf = append(append(buf[:0], pad[:]...), inner[:]...)
	return sha256.Sum256(buf), buf
}

// scratch holds the buffers one verification needs; Verifier pools them.
type scratch struct {
	canonical canonicalRequest
	sts       []byte // string to sign
	mac       []byte // HMAC working space
}

func (v *Verifier) getScratch() *scratch {
	if s, ok := v.scratch.Get().(*scratch); ok {
		return s
	}
	return &scratch{
		canonical: canonicalRequest{out: make([]byte, 0, 1024), query: make([]byte, 0, 256)},
		sts:       make([]byte, 0, 256),
		mac:       make([]byte, 0, 512),
	}
}

func (v *Verifier) putScratch(s *scratch) {
	// Do not pool buffers a huge request grew, so that one outlier does not
	// pin its memory.
	if cap(s.canonical.out) > 64<<10 || cap(s.canonical.query) > 64<<10 {
		return
	}
	v.scratch.Put(s)
}

// appendStringToSign appends the SigV4 string to sign of a canonical request.
func appendStringToSign(dst []byte, amzDate, scope string, canonical []byte) []byte {
	sum := sha256.Sum256(canonical)
	dst = append(dst, algorithmHMAC+"\n"...)
	dst = append(dst, amzDate...)
	dst = append(dst, '\n')
	dst = append(dst, scope...)
	dst = append(dst, '\n')
	return hex.AppendEncode(dst, sum[:])
}

// signatureMatches compares a provided hex signature with the computed MAC
// in constant time; anything that is not 64 hex digits does not match.
func signatureMatches(provided string, want [32]byte) bool {
	got, ok := decodeHex32(provided)
	return ok && equalMAC(got, want)
}

// equalMAC compares two MACs in constant time.
func equalMAC(a, b [32]byte) bool { return hmac.Equal(a[:], b[:]) }

// decodeHex32 decodes exactly 64 hex digits of either case.
func decodeHex32[T string | []byte](s T) (out [32]byte, ok bool) {
	if len(s) != 64 {
		return out, false
	}
	for i := range out {
		hi, ok1 := fromHex(s[2*i])
		lo, ok2 := fromHex(s[2*i+1])
		if !ok1 || !ok2 {
			return out, false
		}
		out[i] = hi<<4 | lo
	}
	return out, true
}
