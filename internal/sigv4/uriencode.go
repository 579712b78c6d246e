package sigv4

const upperHex = "0123456789ABCDEF"

// isUnreserved reports whether S3's UriEncode leaves c literal: A-Z a-z 0-9 - _ . ~
func isUnreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// appendEncoded appends c as S3's UriEncode writes it.
func appendEncoded(dst []byte, c byte) []byte {
	if isUnreserved(c) {
		return append(dst, c)
	}
	return append(dst, '%', upperHex[c>>4], upperHex[c&0xF])
}

func fromHex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// decodeEscape decodes the %XX escape at s[i]; ok is false when s[i:] is not one.
func decodeEscape(s string, i int) (b byte, ok bool) {
	if s[i] != '%' || i+2 >= len(s) {
		return 0, false
	}
	hi, ok1 := fromHex(s[i+1])
	lo, ok2 := fromHex(s[i+2])
	return hi<<4 | lo, ok1 && ok2
}

// appendCanonicalURI appends the canonical URI of an escaped request path:
// every escape is decoded and every byte re-encoded with S3's rules, '/'
// kept. The path is not double-encoded (the S3 variant of SigV4). An
// escaped slash stays "%2F": a client that sent one (the AWS Java SDK v1
// escapes "//" as "/%2F") signed it that way, and decoding it would merge
// two different keys into one canonical form.
func appendCanonicalURI(dst []byte, escapedPath string) []byte {
	if escapedPath == "" {
		return append(dst, '/')
	}
	for i := 0; i < len(escapedPath); i++ {
		c := escapedPath[i]
		switch {
		case c == '/':
			dst = append(dst, '/')
		case c == '%':
			b, ok := decodeEscape(escapedPath, i)
			if !ok {
				dst = appendEncoded(dst, c) // a stray '%' is a literal percent sign
				continue
			}
			i += 2
			dst = appendEncoded(dst, b)
		default:
			dst = appendEncoded(dst, c)
		}
	}
	return dst
}

// appendCanonicalComponent appends a query key or value: decoded (with '+'
// as a space, as in form encoding) and re-encoded with S3's rules, '/'
// included.
func appendCanonicalComponent(dst []byte, raw string) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case '+':
			c = ' '
		case '%':
			if b, ok := decodeEscape(raw, i); ok {
				c = b
				i += 2
			}
		}
		dst = appendEncoded(dst, c)
	}
	return dst
}
