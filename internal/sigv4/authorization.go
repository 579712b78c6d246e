package sigv4

import (
	"strings"

	"github.com/cairn-s3/cairn/internal/s3"
)

const headerMalformedPrefix = "The authorization header is malformed; "

// authorization is a parsed "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." header.
type authorization struct {
	credential    credentialScope
	signedHeaders string
	signature     string
}

// parseAuthorization parses an Authorization header value. The separators
// are tolerant (commas and/or spaces between components, in any order, as
// the SDKs emit them); the content is not: each of the three components must
// appear exactly once and nothing else may.
func parseAuthorization(h string) (authorization, error) {
	rest, ok := strings.CutPrefix(h, algorithmHMAC)
	if !ok || (rest != "" && rest[0] != ' ') {
		return authorization{}, s3.Errorf(s3.ErrInvalidArgument, "Unsupported Authorization Type").
			With("ArgumentName", "Authorization", "ArgumentValue", h)
	}
	var a authorization
	var credential string
	var seen [3]bool
	for rest != "" {
		// Components are separated by any run of commas and spaces; none of
		// the three values may contain either.
		i := 0
		for i < len(rest) && (rest[i] == ' ' || rest[i] == ',') {
			i++
		}
		if i == len(rest) {
			break
		}
		rest = rest[i:]
		end := 0
		for end < len(rest) && rest[end] != ' ' && rest[end] != ',' {
			end++
		}
		component := rest[:end]
		rest = rest[end:]
		name, value, hasValue := strings.Cut(component, "=")
		slot := -1
		switch name {
		case "Credential":
			slot, credential = 0, value
		case "SignedHeaders":
			slot, a.signedHeaders = 1, value
		case "Signature":
			slot, a.signature = 2, value
		}
		if slot < 0 || !hasValue || seen[slot] {
			return authorization{}, s3.Errorf(s3.ErrAuthorizationHeaderMalformed, headerMalformedPrefix+"the authorization component %q is malformed.", component)
		}
		seen[slot] = true
	}
	if !seen[0] || !seen[1] || !seen[2] {
		return authorization{}, s3.Errorf(s3.ErrAuthorizationHeaderMalformed, headerMalformedPrefix+"the authorization header requires three components: Credential, SignedHeaders, and Signature.")
	}
	c, err := parseCredential(credential, headerScopeErrors())
	if err != nil {
		return authorization{}, err
	}
	a.credential = c
	if problem := validSignedHeaders(a.signedHeaders); problem != "" {
		return authorization{}, s3.Errorf(s3.ErrAuthorizationHeaderMalformed, headerMalformedPrefix+"%s.", problem)
	}
	return a, nil
}
