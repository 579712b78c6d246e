package sigv4

import (
	"strings"

	"github.com/cairn-s3/cairn/internal/s3"
)

const (
	algorithmHMAC = "AWS4-HMAC-SHA256"
	scopeTerminal = "aws4_request"
	serviceS3     = "s3"
)

// credentialScope is a parsed Credential value:
// <access key>/<yyyymmdd>/<region>/<service>/aws4_request.
type credentialScope struct {
	accessKey string
	date      string
	region    string
	service   string
	// scope is everything after the access key, as it enters the string to sign.
	scope string
}

// scopeErrors builds the errors for a bad Credential: the header and the
// query flavours differ in code and message prefix only.
type scopeErrors struct {
	code   s3.ErrorCode
	prefix string
}

// headerScopeErrors and queryScopeErrors are the two flavours.
func headerScopeErrors() scopeErrors {
	return scopeErrors{s3.ErrAuthorizationHeaderMalformed, headerMalformedPrefix}
}

func queryScopeErrors() scopeErrors {
	return scopeErrors{s3.ErrAuthorizationQueryParametersError, "Error parsing the X-Amz-Credential parameter; "}
}

func (e scopeErrors) errorf(format string, args ...any) *s3.Error {
	return s3.Errorf(e.code, e.prefix+format, args...)
}

// parseCredential splits a Credential value. The scope is taken from the
// right, so an access key containing '/' still parses; any region is accepted.
func parseCredential(v string, errs scopeErrors) (credentialScope, error) {
	malformed := func() error {
		return errs.errorf(`the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`)
	}
	var parts [4]string
	rest := v
	for i := 3; i >= 0; i-- {
		slash := strings.LastIndexByte(rest, '/')
		if slash < 0 {
			return credentialScope{}, malformed()
		}
		parts[i] = rest[slash+1:]
		rest = rest[:slash]
	}
	c := credentialScope{
		accessKey: rest,
		date:      parts[0],
		region:    parts[1],
		service:   parts[2],
		scope:     v[len(rest)+1:],
	}
	if c.accessKey == "" || c.region == "" || !isDigits(c.date, 8) {
		return credentialScope{}, malformed()
	}
	if c.service != serviceS3 {
		return credentialScope{}, errs.errorf(`incorrect service %q. This endpoint belongs to "s3".`, c.service)
	}
	if parts[3] != scopeTerminal {
		return credentialScope{}, errs.errorf(`incorrect terminal %q. This endpoint uses "aws4_request".`, parts[3])
	}
	return c, nil
}

// isDigits reports whether s is exactly n ASCII digits.
func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validSignedHeaders checks a SignedHeaders list: non-empty lower-case
// names, strictly ascending (so sorted and without duplicates), including
// host. It returns a description of the first problem, or "".
func validSignedHeaders(list string) string {
	if list == "" {
		return "SignedHeaders is empty"
	}
	hasHost := false
	prev := ""
	for rest := list; ; {
		name, tail, more := strings.Cut(rest, ";")
		if name == "" {
			return "SignedHeaders contains an empty header name"
		}
		for i := 0; i < len(name); i++ {
			if !isTokenChar(name[i]) || (name[i] >= 'A' && name[i] <= 'Z') {
				return "SignedHeaders must be lower-case header names separated by ';'"
			}
		}
		if prev != "" && name <= prev {
			return "SignedHeaders must be sorted and must not repeat a header"
		}
		if name == "host" {
			hasHost = true
		}
		prev = name
		if !more {
			break
		}
		rest = tail
	}
	if !hasHost {
		return "SignedHeaders must include host"
	}
	return ""
}

// signedHeadersContain reports whether the ';'-separated lower-case list
// names header, compared case-insensitively so that canonical Go header keys
// match without allocating.
func signedHeadersContain(list, header string) bool {
	for rest := list; ; {
		name, tail, more := strings.Cut(rest, ";")
		if len(name) == len(header) && strings.EqualFold(name, header) {
			return true
		}
		if !more {
			return false
		}
		rest = tail
	}
}

// isTokenChar reports whether c may appear in an HTTP header name (RFC 9110 tchar).
func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}
