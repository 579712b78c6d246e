package bceauth

import (
	"net/http"
	"slices"
	"strings"
)

// bcePrefix starts the names of BCE's own headers, which the SDK signs
// whether or not they are in its list of headers to sign.
const bcePrefix = "x-bce-"

// requestIDHeader is the one x-bce-* header bce-sdk-go never signs.
const requestIDHeader = "x-bce-request-id"

// defaultSignedHeaders are the headers signed under an empty signedHeaders
// list, as BCE documents it: these four plus every x-bce-* header.
func defaultSignedHeaders() [4]string {
	return [...]string{"host", "content-length", "content-type", "content-md5"}
}

// canonicalRequest builds the string the signature covers:
// METHOD \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders, with
// no trailing newline. signed lists the signed header names; nil selects
// the default set.
func canonicalRequest(r *http.Request, signed []string) string {
	b := make([]byte, 0, 256+len(r.URL.Path)+len(r.URL.RawQuery))
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = appendCanonicalURI(b, r.URL.Path)
	b = append(b, '\n')
	b = appendCanonicalQuery(b, r.URL.RawQuery)
	b = append(b, '\n')
	b = appendCanonicalHeaders(b, r, signed)
	return string(b)
}

// appendCanonicalURI appends "/" + UriEncode(path without its leading "/"),
// '/' kept. The SDK signs the unescaped path and escapes it only on the
// wire, so the server re-encodes the decoded path (r.URL.Path): a '+' that
// travelled literally is signed as %2B, an escaped %2F as '/'. The HTTP
// layer must therefore route BOS requests on r.URL.Path as well.
func appendCanonicalURI(dst []byte, path string) []byte {
	dst = append(dst, '/')
	return appendURIEncoded(dst, strings.TrimPrefix(path, "/"), true)
}

// appendCanonicalQuery appends the canonical query string: every parameter
// but authorization (any case), decoded as url.ParseQuery decodes it and
// re-encoded as UriEncode(key)=UriEncode(value) ("key=" when valueless),
// sorted as strings and joined with '&'. A repeated parameter, which the SDK
// never sends, contributes every occurrence, so that adding one breaks the
// signature.
func appendCanonicalQuery(dst []byte, rawQuery string) []byte {
	var params []string
	var buf []byte
	for rest := rawQuery; rest != ""; {
		var param string
		param, rest, _ = strings.Cut(rest, "&")
		if param == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(param, "=")
		key := queryUnescape(rawKey)
		if isAuthorizationParam(key) {
			continue
		}
		buf = appendURIEncoded(buf[:0], key, false)
		buf = append(buf, '=')
		buf = appendURIEncoded(buf, queryUnescape(rawValue), false)
		params = append(params, string(buf))
	}
	slices.Sort(params)
	for i, p := range params {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, p...)
	}
	return dst
}

// isAuthorizationParam reports whether a decoded query key is the presigned
// auth string, which the canonical query leaves out.
func isAuthorizationParam(key string) bool {
	return strings.EqualFold(key, "authorization")
}

// appendCanonicalHeaders appends one UriEncode(name):UriEncode(value) line
// per signed header with a non-empty value, the lines sorted as strings (not
// by name: "x-bce-a-b:..." sorts before "x-bce-a:...") and joined with '\n'.
func appendCanonicalHeaders(dst []byte, r *http.Request, signed []string) []byte {
	var lines []string
	add := func(name, value string) {
		if value == "" {
			return
		}
		b := make([]byte, 0, len(name)+1+len(value)+16)
		b = appendURIEncoded(b, name, false)
		b = append(b, ':')
		b = appendURIEncoded(b, value, false)
		lines = append(lines, string(b))
	}
	if signed == nil {
		for _, name := range defaultSignedHeaders() {
			add(name, headerValue(r, name))
		}
		for key, values := range r.Header {
			if hasBcePrefix(key) {
				add(strings.ToLower(key), joinValues(values))
			}
		}
	} else {
		for _, name := range signed {
			add(name, headerValue(r, name))
		}
	}
	slices.Sort(lines)
	for i, l := range lines {
		if i > 0 {
			dst = append(dst, '\n')
		}
		dst = append(dst, l...)
	}
	return dst
}

// headerValue is the value a signer saw for the lower-case header name:
// r.Host (port included) for host, else the trimmed values joined with ','
// (the SDK sends each header once; joining makes an added duplicate break
// the signature). Trimming uses strings.TrimSpace, as the SDK does.
func headerValue(r *http.Request, name string) string {
	if name == "host" {
		return strings.TrimSpace(r.Host)
	}
	return joinValues(r.Header[http.CanonicalHeaderKey(name)])
}

// joinValues trims each value of a header and joins them with ','.
func joinValues(values []string) string {
	switch len(values) {
	case 0:
		return ""
	case 1:
		return strings.TrimSpace(values[0])
	}
	trimmed := make([]string, len(values))
	for i, v := range values {
		trimmed[i] = strings.TrimSpace(v)
	}
	return strings.Join(trimmed, ",")
}

// hasBcePrefix reports whether a header name starts with x-bce-, in any case.
func hasBcePrefix(name string) bool {
	return len(name) >= len(bcePrefix) && strings.EqualFold(name[:len(bcePrefix)], bcePrefix)
}

// unsignedBceHeaders lists, lower-case and sorted, the x-bce-* headers with
// a value that the signed list leaves out (x-bce-request-id excepted, which
// the SDK never signs). Such a header could change what the request does (a
// copy source, an ACL, metadata) without the signer having agreed to it.
func unsignedBceHeaders(h http.Header, signed []string) []string {
	if signed == nil {
		return nil // the default set signs every x-bce-* header
	}
	var set map[string]bool
	var missing []string
	for key, values := range h {
		if !hasBcePrefix(key) || strings.EqualFold(key, requestIDHeader) || allBlank(values) {
			continue
		}
		if set == nil {
			set = make(map[string]bool, len(signed))
			for _, name := range signed {
				set[name] = true
			}
		}
		if name := strings.ToLower(key); !set[name] {
			missing = append(missing, name)
		}
	}
	slices.Sort(missing)
	return missing
}

// allBlank reports whether every value is empty after trimming: the SDK
// neither signs nor lists such a header.
func allBlank(values []string) bool {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}
