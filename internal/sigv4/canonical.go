package sigv4

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// paramSpan locates one canonical query parameter in a scratch buffer:
// the key is buf[start:keyEnd] and the value buf[keyEnd:end].
type paramSpan struct{ start, keyEnd, end int }

// canonicalRequest builds canonical requests into reusable buffers.
type canonicalRequest struct {
	out   []byte      // the canonical request
	query []byte      // encoded query parameters before sorting
	spans []paramSpan // one per parameter in query
}

// build writes the canonical request of r into c.out. With presigned set,
// the X-Amz-Signature parameter is left out of the canonical query.
func (c *canonicalRequest) build(r *http.Request, signedHeaders, payloadHash string, presigned bool) []byte {
	b := c.out[:0]
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = appendCanonicalURI(b, r.URL.EscapedPath())
	b = append(b, '\n')
	b = c.appendQuery(b, r.URL.RawQuery, presigned)
	b = append(b, '\n')
	b = appendCanonicalHeaders(b, r, signedHeaders)
	b = append(b, '\n')
	b = append(b, signedHeaders...)
	b = append(b, '\n')
	b = append(b, payloadHash...)
	c.out = b
	return b
}

// appendQuery appends the canonical query string: every parameter decoded
// and re-encoded, valueless ones as "key=", sorted by encoded key then value
// as the AWS documentation specifies.
func (c *canonicalRequest) appendQuery(dst []byte, rawQuery string, presigned bool) []byte {
	q, spans := c.query[:0], c.spans[:0]
	for rest := rawQuery; rest != ""; {
		var param string
		param, rest, _ = strings.Cut(rest, "&")
		if param == "" {
			continue
		}
		key, value, _ := strings.Cut(param, "=")
		start := len(q)
		q = appendCanonicalComponent(q, key)
		keyEnd := len(q)
		if presigned && string(q[start:keyEnd]) == paramSignature {
			q = q[:start]
			continue
		}
		q = appendCanonicalComponent(q, value)
		spans = append(spans, paramSpan{start, keyEnd, len(q)})
	}
	c.query, c.spans = q, spans
	sortSpans(q, spans)
	for i, s := range spans {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, q[s.start:s.keyEnd]...)
		dst = append(dst, '=')
		dst = append(dst, q[s.keyEnd:s.end]...)
	}
	return dst
}

func compareSpans(buf []byte, a, b paramSpan) int {
	if c := bytes.Compare(buf[a.start:a.keyEnd], buf[b.start:b.keyEnd]); c != 0 {
		return c
	}
	return bytes.Compare(buf[a.keyEnd:a.end], buf[b.keyEnd:b.end])
}

// sortSpans orders parameters; an insertion sort for the few parameters S3
// requests carry avoids the closure a generic sort needs.
func sortSpans(buf []byte, spans []paramSpan) {
	if len(spans) > 12 {
		slices.SortFunc(spans, func(a, b paramSpan) int { return compareSpans(buf, a, b) })
		return
	}
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && compareSpans(buf, spans[j-1], spans[j]) > 0; j-- {
			spans[j-1], spans[j] = spans[j], spans[j-1]
		}
	}
}

// appendCanonicalHeaders appends "name:value\n" for each signed header.
func appendCanonicalHeaders(dst []byte, r *http.Request, signedHeaders string) []byte {
	for rest := signedHeaders; ; {
		name, tail, more := strings.Cut(rest, ";")
		dst = append(dst, name...)
		dst = append(dst, ':')
		dst = appendHeaderValue(dst, r, name)
		dst = append(dst, '\n')
		if !more {
			return dst
		}
		rest = tail
	}
}

// appendHeaderValue appends the canonical value of the lower-case header
// name. Go moves Host, and for chunked requests Transfer-Encoding and
// Content-Length, out of r.Header, so those come from the request fields
// when the header map lacks them.
func appendHeaderValue(dst []byte, r *http.Request, name string) []byte {
	var values []string
	switch name {
	case "host":
		if values = r.Header["Host"]; len(values) == 0 {
			host := r.Host
			if host == "" {
				host = r.URL.Host
			}
			return appendTrimmedValue(dst, host)
		}
	case "content-length":
		if values = r.Header["Content-Length"]; len(values) == 0 {
			if r.ContentLength >= 0 {
				return strconv.AppendInt(dst, r.ContentLength, 10)
			}
			return dst
		}
	case "transfer-encoding":
		if values = r.Header["Transfer-Encoding"]; len(values) == 0 {
			values = r.TransferEncoding
		}
	default:
		values = headerValues(r.Header, name)
	}
	for i, v := range values {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendTrimmedValue(dst, v)
	}
	return dst
}

// headerValues finds the values of the lower-case header name. It looks up
// the canonical key without allocating and falls back to a case-insensitive
// scan for keys a caller stored non-canonically.
func headerValues(h http.Header, name string) []string {
	var buf [64]byte
	if key, ok := canonicalHeaderKey(buf[:0], name); ok {
		if v, found := h[string(key)]; found {
			return v
		}
	}
	for k, v := range h {
		if len(k) == len(name) && strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// canonicalHeaderKey appends the textproto canonical form of a header name
// (upper case after start and '-', lower case elsewhere); ok is false when
// the name is too long for dst or not a token, which textproto leaves as is.
func canonicalHeaderKey(dst []byte, name string) ([]byte, bool) {
	if len(name) > cap(dst) {
		return nil, false
	}
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isTokenChar(c) {
			return nil, false
		}
		if upper && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		} else if !upper && c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
		upper = c == '-'
	}
	return dst, true
}

// appendTrimmedValue appends a header value with leading and trailing
// whitespace removed and inner runs of spaces collapsed to one.
func appendTrimmedValue(dst []byte, v string) []byte {
	start, end := 0, len(v)
	for start < end && (v[start] == ' ' || v[start] == '\t') {
		start++
	}
	for end > start && (v[end-1] == ' ' || v[end-1] == '\t') {
		end--
	}
	for i := start; i < end; i++ {
		if v[i] == ' ' && i > start && v[i-1] == ' ' {
			continue
		}
		dst = append(dst, v[i])
	}
	return dst
}
