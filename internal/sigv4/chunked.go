package sigv4

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/cairn-s3/cairn/internal/s3"
)

const (
	// maxChunkLine bounds a chunk-size or trailer line, CRLF included; it is
	// also the read buffer, so a longer line is rejected, never accumulated.
	maxChunkLine = 4 << 10 // bufio's default size, which an embedded bufio.Reader gets
	// maxChunkSizeDigits bounds the hex chunk size; 16 digits fit a uint64.
	maxChunkSizeDigits = 16
	// maxChunkExtensions bounds the ";name=value" extensions of an unsigned chunk.
	maxChunkExtensions = 4
	chunkSignatureExt  = ";chunk-signature="
)

// chunkSigner holds what verifying a chain of chunk signatures needs.
type chunkSigner struct {
	key       [32]byte
	amzDate   string
	scope     string
	accessKey string
	seed      [32]byte // the request signature, which the chain starts from
}

// chunkedReader decodes an aws-chunked body while verifying it: the decoded
// length, each chunk signature (chained from the seed) and the trailer. Data
// is streamed, never buffered beyond one read buffer; a chunk's bytes are
// handed out before its signature can be checked at the chunk's end, and any
// failure is reported no later than the Read that would return io.EOF.
type chunkedReader struct {
	body io.ReadCloser
	src  bufio.Reader // embedded to save an allocation; its default size is maxChunkLine
	// signer is nil for STREAMING-UNSIGNED-PAYLOAD-TRAILER.
	signer *chunkSigner
	// trailerMode allows trailing headers; trailerSigned requires their signature.
	trailerMode, trailerSigned bool
	announced                  []string

	decodedLeft int64 // bytes x-amz-decoded-content-length still promises
	chunkLeft   int64 // bytes left in the current chunk
	inData      bool  // between a chunk's size line and its closing CRLF
	done        bool  // the body ended and everything checked out
	err         error // sticky failure

	chunkHash hash.Hash // digest of the current chunk, or of the trailer lines
	sum       [32]byte  // space for chunkHash's digest: a local would escape through hash.Hash
	chunkSig  [32]byte  // the signature the current chunk claims
	prevSig   [32]byte  // the previous link of the chain
	trailers  map[string]string
	sts       []byte // string-to-sign and HMAC working space
	mac       []byte
}

func newChunkedReader(body io.ReadCloser, decodedLength int64, mode payloadMode, announced []string, signer *chunkSigner) *chunkedReader {
	c := &chunkedReader{
		body:          body,
		signer:        signer,
		trailerMode:   mode == payloadSignedChunksTrailer || mode == payloadUnsignedChunksTrailer,
		trailerSigned: mode == payloadSignedChunksTrailer && signer != nil,
		announced:     announced,
		decodedLeft:   decodedLength,
	}
	c.src.Reset(body)
	if signer != nil {
		c.prevSig = signer.seed
		// One allocation holds both working buffers: a string to sign is
		// under 256 bytes and the HMAC input under 64+256.
		buf := make([]byte, 0, 640)
		c.sts, c.mac = buf[:0:256], buf[256:256]
	}
	if signer != nil {
		c.chunkHash = sha256.New()
	}
	if c.trailerMode {
		c.trailers = make(map[string]string, len(announced))
	}
	return c
}

// Read implements io.Reader over the decoded payload.
func (c *chunkedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	for {
		switch {
		case c.inData && c.chunkLeft == 0:
			if err := c.endChunk(); err != nil {
				return 0, c.fail(err)
			}
		case c.inData:
			if len(p) == 0 {
				return 0, nil
			}
			if int64(len(p)) > c.chunkLeft {
				p = p[:c.chunkLeft]
			}
			n, err := c.src.Read(p)
			if c.chunkHash != nil {
				c.chunkHash.Write(p[:n])
			}
			c.chunkLeft -= int64(n)
			if err != nil {
				return n, c.fail(c.sourceError(err))
			}
			return n, nil
		case c.done:
			return 0, io.EOF
		default:
			if err := c.startChunk(); err != nil {
				return 0, c.fail(err)
			}
		}
	}
}

// Close closes the underlying body.
func (c *chunkedReader) Close() error { return c.body.Close() }

// trailer is Result.Trailer: the verified trailers once the body has ended.
func (c *chunkedReader) trailer() map[string]string {
	if !c.done || c.err != nil {
		return nil
	}
	return c.trailers
}

func (c *chunkedReader) fail(err error) error {
	c.err = err
	return err
}

// sourceError maps an error of the underlying body: running out of bytes
// inside the framing is an incomplete body; anything else (a broken
// connection) passes through.
func (c *chunkedReader) sourceError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return malformedChunk("the body ended inside a chunk")
	}
	return err
}

// startChunk reads a chunk-size line. A zero size ends the data: its
// signature is checked and the trailer section read.
func (c *chunkedReader) startChunk() error {
	line, err := c.src.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return malformedChunk("chunk-size line too long")
	case err != nil:
		return c.sourceError(err)
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return malformedChunk("chunk-size line does not end in CRLF")
	}
	size, sig, err := parseChunkHeader(line[:len(line)-2], c.signer != nil)
	if err != nil {
		return err
	}
	if size > uint64(c.decodedLeft) {
		return fmt.Errorf("sigv4: aws-chunked: chunks exceed x-amz-decoded-content-length: %w", s3.ErrIncompleteBody)
	}
	c.chunkSig = sig
	if c.chunkHash != nil {
		c.chunkHash.Reset()
	}
	if size > 0 {
		c.decodedLeft -= int64(size)
		c.chunkLeft, c.inData = int64(size), true
		return nil
	}
	if c.decodedLeft != 0 {
		return fmt.Errorf("sigv4: aws-chunked: %d bytes short of x-amz-decoded-content-length: %w", c.decodedLeft, s3.ErrIncompleteBody)
	}
	if err := c.verifyChunk(); err != nil {
		return err
	}
	if err := c.readTrailers(); err != nil {
		return err
	}
	c.done = true
	return nil
}

// endChunk consumes the CRLF that closes chunk data and checks the chunk's signature.
func (c *chunkedReader) endChunk() error {
	for _, want := range [2]byte{'\r', '\n'} {
		b, err := c.src.ReadByte()
		if err != nil {
			return c.sourceError(err)
		}
		if b != want {
			return malformedChunk("chunk data is not followed by CRLF")
		}
	}
	c.inData = false
	return c.verifyChunk()
}

// verifyChunk checks the current chunk's signature against the chain.
func (c *chunkedReader) verifyChunk() error {
	if c.signer == nil {
		return nil
	}
	c.chunkHash.Sum(c.sum[:0])
	c.sts = append(c.sts[:0], "AWS4-HMAC-SHA256-PAYLOAD\n"...)
	c.sts = c.appendChainPrefix(c.sts)
	c.sts = append(c.sts, emptySHA256+"\n"...)
	c.sts = hex.AppendEncode(c.sts, c.sum[:])
	return c.checkLink(c.chunkSig, "chunk")
}

// appendChainPrefix appends the date, scope and previous signature lines
// shared by the chunk and trailer strings to sign.
func (c *chunkedReader) appendChainPrefix(dst []byte) []byte {
	dst = append(dst, c.signer.amzDate...)
	dst = append(dst, '\n')
	dst = append(dst, c.signer.scope...)
	dst = append(dst, '\n')
	dst = hex.AppendEncode(dst, c.prevSig[:])
	return append(dst, '\n')
}

// checkLink compares the MAC of c.sts with provided and advances the chain.
func (c *chunkedReader) checkLink(provided [32]byte, what string) error {
	var want [32]byte
	want, c.mac = hmacSHA256(c.mac, &c.signer.key, c.sts)
	if !equalMAC(provided, want) {
		return fmt.Errorf("sigv4: aws-chunked: %s signature: %w", what,
			chainMismatch(c.signer.accessKey, string(c.sts), hex.EncodeToString(provided[:])))
	}
	c.prevSig = want
	return nil
}

// parseChunkHeader parses "hex-size" or "hex-size;chunk-signature=<64 hex>"
// (the latter required when signed). Sizes are bounded by digit count, so
// nothing here allocates by a client-supplied number.
func parseChunkHeader(line []byte, signed bool) (size uint64, sig [32]byte, err error) {
	i := 0
	for ; i < len(line); i++ {
		d, ok := fromHex(line[i])
		if !ok {
			break
		}
		if i == maxChunkSizeDigits {
			return 0, sig, malformedChunk("chunk size too large")
		}
		size = size<<4 | uint64(d)
	}
	if i == 0 {
		return 0, sig, malformedChunk("missing chunk size")
	}
	ext := line[i:]
	if signed {
		value, ok := cutPrefix(ext, chunkSignatureExt)
		if !ok {
			return 0, sig, malformedChunk("missing chunk-signature")
		}
		if sig, ok = decodeHex32(value); !ok {
			return 0, sig, fmt.Errorf("sigv4: aws-chunked: malformed chunk-signature: %w", s3.ErrSignatureDoesNotMatch)
		}
		return size, sig, nil
	}
	// Unsigned chunks may carry extensions; they mean nothing to S3 but
	// must be well-formed and few.
	for n := 0; len(ext) > 0; n++ {
		if ext[0] != ';' || n == maxChunkExtensions {
			return 0, sig, malformedChunk("malformed chunk extension")
		}
		ext = ext[1:]
		j := 0
		for j < len(ext) && ext[j] != ';' {
			if ext[j] <= ' ' || ext[j] >= 0x7f {
				return 0, sig, malformedChunk("malformed chunk extension")
			}
			j++
		}
		if j == 0 {
			return 0, sig, malformedChunk("empty chunk extension")
		}
		ext = ext[j:]
	}
	return size, sig, nil
}

func cutPrefix(b []byte, prefix string) ([]byte, bool) {
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		return nil, false
	}
	return b[len(prefix):], true
}

// malformedChunk is a framing error of an aws-chunked body. AWS answers
// those as IncompleteBody; the detail stays in the wrapping error for logs.
func malformedChunk(detail string) error {
	return fmt.Errorf("sigv4: aws-chunked: %s: %w", detail, s3.ErrIncompleteBody)
}
