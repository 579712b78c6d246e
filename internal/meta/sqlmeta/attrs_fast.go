package sqlmeta

import (
	"strings"
	"unicode/utf8"

	"github.com/cairn-s3/cairn/internal/s3"
)

// decodeAttrsFast parses attribute JSON of the shape encodeAttrs writes,
// without reflection, for listings, where encoding/json was a third of the
// cost. It gives up (false) on anything it does not expect, such as a
// string with an escape or whitespace between tokens, and the caller then
// uses encoding/json; when it succeeds, the result is what encoding/json
// would give (FuzzDecodeAttrs checks this).
func decodeAttrsFast(s string, a *objectAttrs) bool {
	p := attrsParser{s: s}
	if !p.consume('{') {
		return false
	}
	if p.consume('}') {
		return p.done()
	}
	for {
		key, ok := p.string()
		if !ok || !p.consume(':') {
			return false
		}
		switch key {
		case "h":
			ok = p.object(func(k, v string) bool { return setHeader(a, k, v) })
		case "m":
			if a.UserMetadata == nil {
				a.UserMetadata = make(map[string]string)
			}
			ok = p.object(func(k, v string) bool { a.UserMetadata[k] = v; return true })
		case "t":
			ok = p.tags(a)
		case "c":
			if a.Checksum == nil {
				a.Checksum = &checksumAttrs{}
			}
			ok = p.object(func(k, v string) bool { return setChecksum(a.Checksum, k, v) })
		case "x":
			ok = p.checksumMap(&a.ExtraChecksums)
		case "u":
			a.UploadID, ok = p.string()
		case "s":
			a.StorageClass, ok = p.string()
		default:
			return false
		}
		if !ok {
			return false
		}
		if p.consume('}') {
			return p.done()
		}
		if !p.consume(',') {
			return false
		}
	}
}

func setHeader(a *objectAttrs, k, v string) bool {
	h := &a.Headers
	switch k {
	case "ct":
		h.ContentType = v
	case "ce":
		h.ContentEncoding = v
	case "cd":
		h.ContentDisposition = v
	case "cl":
		h.ContentLanguage = v
	case "cc":
		h.CacheControl = v
	case "ex":
		h.Expires = v
	default:
		return false
	}
	return true
}

func setChecksum(c *checksumAttrs, k, v string) bool {
	switch k {
	case "a":
		c.Algorithm = s3.ChecksumAlgorithm(v)
	case "t":
		c.Type = s3.ChecksumType(v)
	case "v":
		c.Value = v
	default:
		return false
	}
	return true
}

// attrsParser reads JSON tokens from s.
type attrsParser struct {
	s string
	i int
}

func (p *attrsParser) consume(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *attrsParser) done() bool { return p.i == len(p.s) }

// string reads a string without escapes.
func (p *attrsParser) string() (string, bool) {
	if !p.consume('"') {
		return "", false
	}
	start, ascii := p.i, true
	for ; p.i < len(p.s); p.i++ {
		switch c := p.s[p.i]; {
		case c == '"':
			v := p.s[start:p.i]
			p.i++
			return v, ascii || utf8.ValidString(v)
		case c == '\\' || c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// object reads {"k":"v",...}, passing each pair to set.
func (p *attrsParser) object(set func(k, v string) bool) bool {
	if !p.consume('{') {
		return false
	}
	if p.consume('}') {
		return true
	}
	for {
		k, ok := p.string()
		if !ok || !p.consume(':') {
			return false
		}
		v, ok := p.string()
		if !ok || !set(k, v) {
			return false
		}
		if p.consume('}') {
			return true
		}
		if !p.consume(',') {
			return false
		}
	}
}

// checksumMap reads {"algorithm":"value",...} into *m, allocating it if
// nil and otherwise adding to it, as encoding/json does.
func (p *attrsParser) checksumMap(m *map[s3.ChecksumAlgorithm]string) bool {
	if *m == nil {
		*m = make(map[s3.ChecksumAlgorithm]string, 2)
	}
	return p.object(func(k, v string) bool { (*m)[s3.ChecksumAlgorithm(k)] = v; return true })
}

// tags reads [["k","v"],...], replacing a.Tags as encoding/json does.
func (p *attrsParser) tags(a *objectAttrs) bool {
	if !p.consume('[') {
		return false
	}
	a.Tags = make([][2]string, 0, strings.Count(p.s[p.i:], "["))
	if p.consume(']') {
		return true
	}
	for {
		var pair [2]string
		var ok bool
		if !p.consume('[') {
			return false
		}
		if pair[0], ok = p.string(); !ok || !p.consume(',') {
			return false
		}
		if pair[1], ok = p.string(); !ok || !p.consume(']') {
			return false
		}
		a.Tags = append(a.Tags, pair)
		if p.consume(']') {
			return true
		}
		if !p.consume(',') {
			return false
		}
	}
}
