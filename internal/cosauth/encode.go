package cosauth

const upperHex = "0123456789ABCDEF"

// isUnreserved reports whether COS's encoding leaves c literal. The SDK's
// safeURLEncode is JavaScript's encodeURIComponent that also escapes
// ! ' ( ) *, which is strict RFC 3986: only A-Z a-z 0-9 - _ . ~ remain.
func isUnreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// appendEncoded appends s percent-encoded as the SDK's safeURLEncode does,
// with upper-case hex.
func appendEncoded(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&0xF])
	}
	return dst
}

// encodedName is how the SDK names a query parameter or header in the
// signature: lower(safeURLEncode(name)). Lower-casing the whole encoding
// also lower-cases the hex digits of escapes ("%2A" becomes "%2a").
func encodedName(name string) string {
	plain := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isUnreserved(c) || (c >= 'A' && c <= 'Z') {
			plain = false
			break
		}
	}
	if plain {
		return name
	}
	out := appendEncoded(make([]byte, 0, len(name)+8), name)
	for i, c := range out {
		if c >= 'A' && c <= 'Z' {
			out[i] = c + 'a' - 'A'
		}
	}
	return string(out)
}
