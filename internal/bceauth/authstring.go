package bceauth

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	authVersion = "bce-auth-v1"
	// authPrefix starts every auth string, in the header and in the query.
	authPrefix = authVersion + "/"
	// neverExpires is the expirationPeriodInSeconds of a presigned URL that
	// never expires, as bce-sdk-go documents for GeneratePresignedUrl.
	neverExpires = -1
	// maxExpiration bounds expirationPeriodInSeconds (about 68 years), so that
	// timestamp+expiration cannot overflow a time.Duration.
	maxExpiration = math.MaxInt32
	// maxExpirationDigits bounds the digits parsed, before any conversion.
	maxExpirationDigits = 10
)

// authString is a parsed
// bce-auth-v1/{accessKeyId}/{timestamp}/{expirationPeriodInSeconds}/{signedHeaders}/{signature}.
type authString struct {
	accessKey     string
	timestamp     time.Time
	rawTimestamp  string
	expiration    int64 // seconds; neverExpires for a URL that never expires
	rawExpiration string
	// prefix is the first four fields as sent: the message the signing key
	// is derived from.
	prefix string
	// signedHeaders are the lower-case names as listed; nil when the list is
	// empty, which selects the default set (see defaultSignedHeaders).
	signedHeaders []string
	signature     [32]byte
	rawSignature  string
}

// expiry is the last instant at which the request is valid.
func (a *authString) expiry() time.Time {
	return a.timestamp.Add(time.Duration(a.expiration) * time.Second)
}

// parseAuthString parses an auth string. The four fixed fields are taken
// from the right, so an access key containing '/' still parses (none of the
// other fields can contain one).
func parseAuthString(s string, f form) (*authString, error) {
	rest, ok := strings.CutPrefix(s, authPrefix)
	if !ok {
		return nil, f.malformed("the auth string must start with %q.", authPrefix)
	}
	var fields [4]string // timestamp, expiration, signedHeaders, signature
	for i := len(fields) - 1; i >= 0; i-- {
		slash := strings.LastIndexByte(rest, '/')
		if slash < 0 {
			return nil, f.malformed("expecting %q.", "bce-auth-v1/{accessKeyId}/{timestamp}/{expirationPeriodInSeconds}/{signedHeaders}/{signature}")
		}
		fields[i], rest = rest[slash+1:], rest[:slash]
	}
	a := &authString{
		accessKey:     rest,
		rawTimestamp:  fields[0],
		rawExpiration: fields[1],
		rawSignature:  fields[3],
		prefix:        s[:len(authPrefix)+len(rest)+1+len(fields[0])+1+len(fields[1])],
	}
	if a.accessKey == "" {
		return nil, f.malformed("the access key ID is empty.")
	}
	t, err := time.Parse(timeLayout, a.rawTimestamp)
	if err != nil || len(a.rawTimestamp) != len(timeLayout) {
		return nil, f.malformed("the timestamp %s is not in the form yyyy-mm-ddThh:mm:ssZ.", quoted(a.rawTimestamp))
	}
	a.timestamp = t
	exp, ok := parseExpiration(a.rawExpiration)
	if !ok {
		return nil, f.malformed("the expirationPeriodInSeconds %s is not a number of seconds from 0 to %d, or -1.", quoted(a.rawExpiration), maxExpiration)
	}
	a.expiration = exp
	if a.signedHeaders, err = parseSignedHeaders(fields[2], f); err != nil {
		return nil, err
	}
	sig, ok := decodeHex32(a.rawSignature)
	if !ok {
		return nil, f.malformed("the signature %s is not 64 hexadecimal digits.", quoted(a.rawSignature))
	}
	a.signature = sig
	return a, nil
}

// parseExpiration parses expirationPeriodInSeconds: decimal digits up to
// maxExpiration, or -1.
func parseExpiration(s string) (int64, bool) {
	if s == "-1" {
		return neverExpires, true
	}
	if s == "" || len(s) > maxExpirationDigits {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > maxExpiration {
		return 0, false
	}
	return n, true
}

// parseSignedHeaders splits the ';'-separated list of signed header names.
// Names must be lower-case HTTP tokens, must not repeat, and must include
// host: an unsigned Host would let a request be replayed against another
// virtual-hosted bucket. The order is free (the canonical headers are sorted
// anyway). An empty list means the default set, as BCE documents it.
func parseSignedHeaders(list string, f form) ([]string, error) {
	if list == "" {
		return nil, nil
	}
	names := strings.Split(list, ";")
	for _, name := range names {
		if name == "" {
			return nil, f.malformed("the signed headers %s contain an empty name.", quoted(list))
		}
		for i := 0; i < len(name); i++ {
			if !isTokenChar(name[i]) || (name[i] >= 'A' && name[i] <= 'Z') {
				return nil, f.malformed("the signed headers must be lower-case header names separated by ';', not %s.", quoted(list))
			}
		}
	}
	sorted := slices.Sorted(slices.Values(names))
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			return nil, f.malformed("the signed headers name %s twice.", quoted(sorted[i]))
		}
	}
	if _, found := slices.BinarySearch(sorted, "host"); !found {
		return nil, f.malformed("the signed headers must include host.")
	}
	return names, nil
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

// decodeHex32 decodes exactly 64 hex digits of either case.
func decodeHex32(s string) (out [32]byte, ok bool) {
	if len(s) != 2*len(out) {
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
