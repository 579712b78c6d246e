package sigv4

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/cairn-s3/cairn/internal/s3"
)

const (
	headerContentSHA256  = "X-Amz-Content-Sha256"
	headerDecodedLength  = "X-Amz-Decoded-Content-Length"
	headerTrailer        = "X-Amz-Trailer"
	unsignedPayload      = "UNSIGNED-PAYLOAD"
	streamingSigned      = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTrail = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsigned    = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	streamingECDSA       = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"
	streamingECDSATrail  = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"
	emptySHA256          = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	// maxTrailerNames bounds x-amz-trailer; S3 sends one checksum.
	maxTrailerNames = 8
)

// payloadMode is how the body is framed and checked.
type payloadMode int

const (
	payloadUnsigned              payloadMode = iota // UNSIGNED-PAYLOAD: no check
	payloadSHA256                                   // hex SHA-256 of the whole body
	payloadSignedChunks                             // aws-chunked, each chunk signed
	payloadSignedChunksTrailer                      // as above plus a signed trailer
	payloadUnsignedChunksTrailer                    // aws-chunked, no signatures, trailer
)

// payloadHash is a parsed x-amz-content-sha256 value.
type payloadHash struct {
	mode payloadMode
	// value is the header as sent; it is the last line of the canonical request.
	value string
	sum   [32]byte // the expected digest, for payloadSHA256
}

// parsePayloadHash classifies an x-amz-content-sha256 value.
func parsePayloadHash(v string) (payloadHash, error) {
	p := payloadHash{value: v}
	switch v {
	case unsignedPayload:
		p.mode = payloadUnsigned
	case streamingSigned:
		p.mode = payloadSignedChunks
	case streamingSignedTrail:
		p.mode = payloadSignedChunksTrailer
	case streamingUnsigned:
		p.mode = payloadUnsignedChunksTrailer
	case streamingECDSA, streamingECDSATrail:
		return payloadHash{}, s3.ErrNotImplemented.With("Header", "x-amz-content-sha256")
	default:
		sum, ok := decodeHex32(v)
		if !ok {
			return payloadHash{}, s3.Errorf(s3.ErrInvalidArgument, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, or a valid sha256 value.").
				With("ArgumentName", "x-amz-content-sha256", "ArgumentValue", v)
		}
		p.mode, p.sum = payloadSHA256, sum
	}
	return p, nil
}

// newChunkSigner is the chunk-signature chain of a request signed with key
// and seed, or nil when its payload has no chunk signatures.
func newChunkSigner(p payloadHash, key, seed [32]byte, amzDate string, cred credentialScope) *chunkSigner {
	if p.mode != payloadSignedChunks && p.mode != payloadSignedChunksTrailer {
		return nil
	}
	return &chunkSigner{key: key, amzDate: amzDate, scope: cred.scope, accessKey: cred.accessKey, seed: seed}
}

// attachBody sets res.Body and the length and trailer fields for the payload
// r carries. signer is nil for requests whose chunks carry no signatures.
func attachBody(res *Result, r *http.Request, p payloadHash, signer *chunkSigner) error {
	body := requestBody(r)
	res.Trailer = noTrailer
	res.ContentLength = r.ContentLength
	switch p.mode {
	case payloadUnsigned:
		res.Body = body
		return nil
	case payloadSHA256:
		if body == http.NoBody && strings.EqualFold(p.value, emptySHA256) {
			res.Body = body
			return nil
		}
		res.Body = &sha256Reader{body: body, hash: sha256.New(), want: p.sum}
		return nil
	}
	decoded, err := decodedContentLength(r.Header)
	if err != nil {
		return err
	}
	var names []string
	if p.mode == payloadSignedChunksTrailer || p.mode == payloadUnsignedChunksTrailer {
		if names, err = trailerNames(r.Header); err != nil {
			return err
		}
	}
	if p.mode == payloadUnsignedChunksTrailer {
		signer = nil
	}
	cr := newChunkedReader(body, decoded, p.mode, names, signer)
	res.Body, res.ContentLength, res.Trailer, res.TrailerNames = cr, decoded, cr.trailer, names
	return nil
}

// decodedContentLength reads x-amz-decoded-content-length, which every
// aws-chunked request must carry.
func decodedContentLength(h http.Header) (int64, error) {
	raw := headerGet(h, headerDecodedLength)
	if raw == "" {
		return 0, s3.ErrMissingContentLength
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return 0, s3.Errorf(s3.ErrInvalidArgument, "x-amz-decoded-content-length must be a non-negative integer").
			With("ArgumentName", "x-amz-decoded-content-length", "ArgumentValue", raw)
	}
	return n, nil
}

// trailerNames reads the lower-case names announced in x-amz-trailer, which
// may be comma-separated and repeated.
func trailerNames(h http.Header) ([]string, error) {
	var names []string
	for _, line := range h.Values(headerTrailer) {
		for item := range strings.SplitSeq(line, ",") {
			name := strings.ToLower(strings.TrimSpace(item))
			if name == "" {
				continue
			}
			if len(names) == maxTrailerNames || !validTrailerName(name) {
				return nil, s3.Errorf(s3.ErrInvalidArgument, "x-amz-trailer lists an invalid trailing header").
					With("ArgumentName", "x-amz-trailer", "ArgumentValue", line)
			}
			names = append(names, name)
		}
	}
	return names, nil
}

func validTrailerName(name string) bool {
	if name == "" || name == trailerSignatureName {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isTokenChar(name[i]) {
			return false
		}
	}
	return true
}

// sha256Reader passes a body through while hashing it and compares the
// digest with x-amz-content-sha256 when the body ends.
type sha256Reader struct {
	body io.ReadCloser
	hash hash.Hash
	want [32]byte
	got  [32]byte // space for the digest: a local would escape through hash.Hash
	err  error    // sticky: a failed body keeps failing
}

func (s *sha256Reader) sum() [32]byte {
	s.hash.Sum(s.got[:0])
	return s.got
}

func (s *sha256Reader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.body.Read(p)
	s.hash.Write(p[:n])
	switch {
	case err == nil:
		return n, nil
	case errors.Is(err, io.EOF):
		got := s.sum()
		if got != s.want {
			s.err = fmt.Errorf("sigv4: payload: %w", s3.ErrXAmzContentSHA256Mismatch.With(
				"ClientComputedContentSHA256", fmt.Sprintf("%x", s.want),
				"S3ComputedContentSHA256", fmt.Sprintf("%x", got)))
			return n, s.err
		}
		s.err = io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF):
		s.err = fmt.Errorf("sigv4: payload: %w", s3.ErrIncompleteBody)
	default:
		s.err = err
	}
	return n, s.err
}

func (s *sha256Reader) Close() error { return s.body.Close() }
