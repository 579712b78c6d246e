package s3api

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/cairn-s3/cairn/internal/object"
	"github.com/cairn-s3/cairn/internal/s3"
)

// dialect is one vendor's flavour of the S3 REST API: the names it gives
// parameters and headers, and the shape of its responses and errors (Tencent
// COS, Baidu BOS, Kingsoft KS3, NetBackup MSDP). Every dialect drives the
// same operations and the same object service: it only translates at the
// edge, so the object service never learns which one called it.
type dialect interface {
	// name identifies the dialect in configuration and logs.
	name() string
	// claims reports whether a request that a shared scheme authenticated
	// (SigV4, SigV2) or that is anonymous comes from this dialect's clients:
	// its header prefixes or User-Agent. It must be cheap.
	claims(r *http.Request) bool
	// prepare rewrites the request's vendor names into S3's before it is
	// routed: query parameters, headers.
	prepare(r *http.Request)
	// finish adjusts the response headers just before they are sent:
	// request-id header, metadata header prefix, vendor checksum headers.
	finish(req *request, h http.Header)
	// reply renders a successful result, given as one of the S3 XML result
	// types of this package.
	reply(req *request, status int, v any) error
	// fail renders an error that has not been sent yet.
	fail(req *request, e *s3.Error)
	// traits are the dialect's behaviour where operations differ.
	traits() *traits
}

// traits are the per-dialect differences in what operations do.
type traits struct {
	// extraChecksums are computed on every upload and reported as the
	// dialect's headers say (COS, BOS and KS3 report CRC-64/XZ).
	extraChecksums []s3.ChecksumAlgorithm
	// etag selects MD5 (S3) or SHA-256 (MSDP) ETags for objects.
	etag object.ETagKind
	// noKeepAlive turns off Complete's 200 + whitespace keep-alive, for
	// dialects whose bodies are not XML.
	noKeepAlive bool
	// completeBodyLimit bounds the Complete document; 0 for the default.
	completeBodyLimit int64
	// parseComplete reads a Complete document; nil for S3's XML.
	parseComplete func(io.Reader) ([]object.CompletedPart, error)
	// partSizes overrides the minimum part size rule; nil for the server's.
	partSizes *object.PartSizeRule
	// metadataOnComplete takes x-amz-meta-* given with Complete as the
	// object's metadata (BOS).
	metadataOnComplete bool
}

// s3Dialect is S3 itself: the identity translation. Vendor dialects embed
// it and override what differs.
type s3Dialect struct{ t traits }

func (*s3Dialect) name() string                   { return "s3" }
func (*s3Dialect) claims(*http.Request) bool      { return false }
func (*s3Dialect) prepare(*http.Request)          {}
func (*s3Dialect) finish(*request, http.Header)   {}
func (d *s3Dialect) traits() *traits              { return &d.t }
func (*s3Dialect) fail(req *request, e *s3.Error) { writeXMLError(req, e) }
func (*s3Dialect) reply(req *request, status int, v any) error {
	return writeXML(req, status, v)
}

// renameHeaders moves every header whose name starts with from (case
// insensitive) to the same name with prefix to instead.
func renameHeaders(h http.Header, from, to string) {
	for name, values := range h {
		if len(name) > len(from) && strings.EqualFold(name[:len(from)], from) {
			delete(h, name)
			h[http.CanonicalHeaderKey(to+name[len(from):])] = values
		}
	}
}

// hasHeaderPrefix reports whether any header name starts with prefix (in
// canonical form, e.g. "X-Cos-").
func hasHeaderPrefix(h http.Header, prefix string) bool {
	for name := range h {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// dialectNames lists the dialects a listener can be configured to speak
// by default; "s3" is the default.
func dialectNames() []string { return []string{"s3", "cos", "bos", "ks3", "msdp"} }

// newDialect returns the dialect of that name.
func newDialect(name string, cfg Config) (dialect, error) {
	switch name {
	case "", "s3":
		return &s3Dialect{}, nil
	case "cos":
		return newCOSDialect(cfg), nil
	case "bos":
		return newBOSDialect(cfg), nil
	case "ks3":
		return newKS3Dialect(cfg), nil
	case "msdp":
		return newMSDPDialect(cfg), nil
	}
	return nil, fmt.Errorf("unknown dialect %q: want one of %s", name, strings.Join(dialectNames(), ", "))
}
