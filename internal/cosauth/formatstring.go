package cosauth

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/cairn-s3/cairn/internal/s3"
)

// formatString is COS's FormatString:
// lower(method)\n<decoded path>\n<HttpParameters>\n<HttpHeaders>\n.
// The path is the decoded one (Go's URL.Path), as the SDK signs req.URL.Path.
func formatString(method, path, params, headers string) string {
	var b strings.Builder
	b.Grow(len(method) + len(path) + len(params) + len(headers) + 4)
	for i := 0; i < len(method); i++ {
		c := method[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	b.WriteByte('\n')
	b.WriteString(path)
	b.WriteByte('\n')
	b.WriteString(params)
	b.WriteByte('\n')
	b.WriteString(headers)
	b.WriteByte('\n')
	return b.String()
}

// formatParameters is HttpParameters over the decoded query q (without the
// authentication parameters). The SDK names each parameter
// lower(encode(key)), so keys differing only in case ("uploadId",
// "uploadid") share one name and their values merge; each name must be in
// the signed list names. Values are sorted as decoded, then encoded, as the
// SDK sorts before encoding.
func formatParameters(q url.Values, names []string) (string, error) {
	if len(q) == 0 {
		return "", nil
	}
	groups := make(map[string][]string, len(q))
	for key, values := range q {
		n := encodedName(key)
		groups[n] = append(groups[n], values...)
	}
	keys := make([]string, 0, len(groups))
	var unsigned []string
	for n := range groups {
		keys = append(keys, n)
		if _, found := slices.BinarySearch(names, n); !found {
			unsigned = append(unsigned, n)
		}
	}
	if len(unsigned) > 0 {
		slices.Sort(unsigned)
		return "", s3.Errorf(s3.ErrAccessDenied, "There were query parameters present in the request which were not signed").
			With("ParametersNotSigned", strings.Join(unsigned, ", "))
	}
	slices.Sort(keys)
	var out []byte
	for _, n := range keys {
		out = appendPairs(out, n, groups[n])
	}
	return string(out), nil
}

// formatHeaders is HttpHeaders for the listed header names. A listed name
// the request lacks contributes nothing (the signature then fails unless
// the client left it out too). Values are taken as received, neither
// trimmed nor lower-cased.
func formatHeaders(r *http.Request, names []string) string {
	var out []byte
	var values []string
	for _, n := range names {
		values = values[:0]
		switch n {
		case "host":
			// net/http moves Host out of the header map; the client signed
			// the Host it sent, port included.
			values = append(values, r.Host)
		default:
			for key, vs := range r.Header {
				if nameMatches(key, n) {
					values = append(values, vs...)
				}
			}
			if n == "transfer-encoding" && len(values) == 0 {
				// net/http moves Transfer-Encoding out of the header map too.
				values = append(values, r.TransferEncoding...)
			}
		}
		out = appendPairs(out, n, values)
	}
	return string(out)
}

// appendPairs appends name=encode(value) for each value in sorted order,
// '&'-separated from what dst holds. It sorts values in place.
func appendPairs(dst []byte, name string, values []string) []byte {
	slices.Sort(values)
	for _, v := range values {
		if len(dst) > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, name...)
		dst = append(dst, '=')
		dst = appendEncoded(dst, v)
	}
	return dst
}

// checkCOSHeadersSigned rejects a request carrying an x-cos-* header that
// the header list leaves out: such a header (an ACL, a copy source, a
// storage class) could change what the request does without the signer
// having agreed to it. The SDK signs every x-cos-* header it sends.
func checkCOSHeadersSigned(h http.Header, names []string) error {
	var missing []string
	for key := range h {
		if len(key) < len("x-cos-") || !strings.EqualFold(key[:len("x-cos-")], "x-cos-") {
			continue
		}
		if !slices.ContainsFunc(names, func(n string) bool { return nameMatches(key, n) }) {
			missing = append(missing, strings.ToLower(key))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return s3.Errorf(s3.ErrAccessDenied, "There were headers present in the request which were not signed").
		With("HeadersNotSigned", strings.Join(missing, ", "))
}

// nameMatches reports whether encodedName(raw) == enc, without allocating.
func nameMatches(raw, enc string) bool {
	j := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if isUnreserved(c) {
			if j >= len(enc) || enc[j] != lowerASCII(c) {
				return false
			}
			j++
			continue
		}
		if j+3 > len(enc) || enc[j] != '%' || enc[j+1] != lowerASCII(upperHex[c>>4]) || enc[j+2] != lowerASCII(upperHex[c&0xF]) {
			return false
		}
		j += 3
	}
	return j == len(enc)
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
