package sigv4

import (
	"net/http"
	"slices"
	"strings"

	"github.com/cairn-s3/cairn/internal/s3"
)

// verifyHeaderAuth verifies a request signed in its Authorization header.
func (v *Verifier) verifyHeaderAuth(r *http.Request, authz string) (*Result, error) {
	a, err := parseAuthorization(authz)
	if err != nil {
		return nil, err
	}
	date, err := parseRequestDate(r.Header)
	if err != nil {
		return nil, err
	}
	if date.amzDate[:8] != a.credential.date {
		return nil, s3.Errorf(s3.ErrAuthorizationHeaderMalformed, headerMalformedPrefix+"Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	if err := checkSkew(date, v.now(), v.maxSkew()); err != nil {
		return nil, err
	}
	rawHash := headerGet(r.Header, headerContentSHA256)
	if rawHash == "" {
		return nil, s3.Errorf(s3.ErrInvalidRequest, "Missing required header for this request: x-amz-content-sha256")
	}
	payload, err := parsePayloadHash(rawHash)
	if err != nil {
		return nil, err
	}
	secret, err := v.lookupSecret(r.Context(), a.credential.accessKey)
	if err != nil {
		return nil, err
	}
	if err := checkAmzHeadersSigned(r.Header, a.signedHeaders, ""); err != nil {
		return nil, err
	}
	key, seed, err := v.checkSignature(r, a.credential, secret, date.amzDate, a.signedHeaders, payload.value, a.signature, false)
	if err != nil {
		return nil, err
	}
	res := &Result{AccessKey: a.credential.accessKey, Region: a.credential.region}
	if err := attachBody(res, r, payload, newChunkSigner(payload, key, seed, date.amzDate, a.credential)); err != nil {
		return nil, err
	}
	return res, nil
}

// checkSignature recomputes the request signature and compares it with the
// provided one. It returns the signing key and the signature, which seed a
// chunk-signature chain.
func (v *Verifier) checkSignature(r *http.Request, cred credentialScope, secret, amzDate, signedHeaders, payloadHash, provided string, presigned bool) (key, sig [32]byte, err error) {
	s := v.getScratch()
	defer v.putScratch(s)
	canonical := s.canonical.build(r, signedHeaders, payloadHash, presigned)
	s.sts = appendStringToSign(s.sts[:0], amzDate, cred.scope, canonical)
	key = v.keys.get(secret, cred.date, cred.region, cred.service)
	sig, s.mac = hmacSHA256(s.mac, &key, s.sts)
	if !signatureMatches(provided, sig) {
		return key, sig, signatureMismatch(cred.accessKey, string(s.sts), provided, string(canonical))
	}
	return key, sig, nil
}

// checkAmzHeadersSigned rejects a request carrying an x-amz-* header that
// SignedHeaders leaves out (other than exempt): such a header could change
// what the request does (a copy source, tags, an ACL, a storage class)
// without the signer having agreed to it.
func checkAmzHeadersSigned(h http.Header, signedHeaders, exempt string) error {
	missing := unsignedAmzHeaders(h, signedHeaders, exempt)
	if len(missing) == 0 {
		return nil
	}
	return s3.Errorf(s3.ErrAccessDenied, "There were headers present in the request which were not signed").
		With("HeadersNotSigned", strings.Join(missing, ", "))
}

// unsignedAmzHeaders lists, lower-case and sorted, the x-amz-* headers of h
// that the SignedHeaders list leaves out.
func unsignedAmzHeaders(h http.Header, signedHeaders, exempt string) []string {
	var missing []string
	for k := range h {
		// The cheap byte tests reject most names before EqualFold runs.
		if len(k) <= len("x-amz-") || k[0]|0x20 != 'x' || k[5] != '-' || !strings.EqualFold(k[:len("x-amz-")], "x-amz-") {
			continue
		}
		if !signedHeadersContain(signedHeaders, k) && !strings.EqualFold(k, exempt) {
			missing = append(missing, strings.ToLower(k))
		}
	}
	slices.Sort(missing)
	return missing
}
