package loadgen

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// authPattern is the shape of a SigV4 header Authorization, with the
// credential scope, signed headers and signature captured.
var authPattern = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/,]+)/(\d{8})/([a-z0-9-]+)/s3/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$`)

// checkSigV4 verifies r's SigV4 header signature with secret, written from
// the AWS specification independently of the SDK signer the client uses,
// so that it checks the client's wiring of it (S3's single path escaping,
// the signed x-amz-content-sha256, the query). It returns the access key.
func checkSigV4(r *http.Request, secret string) (string, error) {
	m := authPattern.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return "", fmt.Errorf("authorization %q: not a SigV4 header", r.Header.Get("Authorization"))
	}
	accessKey, day, region, signedHeaders, signature := m[1], m[2], m[3], m[4], m[5]
	amzDate := r.Header.Get("X-Amz-Date")
	if !strings.HasPrefix(amzDate, day) {
		return "", fmt.Errorf("x-amz-date %q is not on the credential's day %s", amzDate, day)
	}
	names := strings.Split(signedHeaders, ";")
	for _, required := range []string{"host", "x-amz-content-sha256", "x-amz-date"} {
		if !sortedContains(names, required) {
			return "", fmt.Errorf("signed headers %q lack %s", signedHeaders, required)
		}
	}
	var canon strings.Builder
	for _, n := range names {
		v := r.Header.Get(n)
		if n == "host" {
			v = r.Host
		}
		canon.WriteString(n + ":" + strings.TrimSpace(v) + "\n")
	}
	canonicalRequest := strings.Join([]string{
		r.Method,
		r.URL.EscapedPath(),
		canonicalQuery(r.URL.Query()),
		canon.String(),
		signedHeaders,
		r.Header.Get("X-Amz-Content-Sha256"),
	}, "\n")
	scope := day + "/" + region + "/s3/aws4_request"
	crHash := sha256.Sum256([]byte(canonicalRequest))
	stringToSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(crHash[:])
	key := []byte("AWS4" + secret)
	for _, part := range []string{day, region, "s3", "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	if want := hex.EncodeToString(hmacSHA256(key, stringToSign)); want != signature {
		return "", fmt.Errorf("signature %s, want %s for canonical request:\n%s", signature, want, canonicalRequest)
	}
	return accessKey, nil
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func sortedContains(names []string, n string) bool {
	if !sort.StringsAreSorted(names) {
		return false
	}
	i := sort.SearchStrings(names, n)
	return i < len(names) && names[i] == n
}

// canonicalQuery is SigV4's query string: names and values URI-encoded
// (unreserved characters kept, space as %20), sorted by name then value.
func canonicalQuery(q url.Values) string {
	var pairs [][2]string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, [2]string{uriEncode(k), uriEncode(v)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i][0] != pairs[j][0] {
			return pairs[i][0] < pairs[j][0]
		}
		return pairs[i][1] < pairs[j][1]
	})
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = p[0] + "=" + p[1]
	}
	return strings.Join(out, "&")
}

func uriEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
