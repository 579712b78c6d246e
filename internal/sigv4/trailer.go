package sigv4

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cairn-s3/cairn/internal/s3"
)

const (
	trailerSignatureName = "x-amz-trailer-signature"
	// maxTrailerBytes bounds the whole trailer section.
	maxTrailerBytes = 16 << 10
	// maxTrailingCRLF bounds the blank bytes tolerated after the trailer
	// section; minio-go sends one CRLF more than the format needs.
	maxTrailingCRLF = 8
)

// readTrailers reads what follows the final chunk: trailer lines
// "name:value", then for signed trailers "x-amz-trailer-signature:<hex>",
// then a blank line, then the end of the body.
//
// Lines may end in CRLF or a bare LF, and one blank line is tolerated before
// the trailer signature, because minio-go writes "name:value\n\r\n" there.
// A body that ends where the closing blank line should be is accepted: by
// then every byte and trailer has been verified.
func (c *chunkedReader) readTrailers() error {
	var sigSeen, blankSeen, ended bool
	total := 0
	if c.chunkHash != nil {
		c.chunkHash.Reset() // from here on it digests the trailer lines
	}
	for !ended {
		line, eof, err := c.readTrailerLine()
		if err != nil {
			return err
		}
		ended = eof
		if len(line) == 0 {
			if eof {
				break
			}
			if c.trailerSigned && !sigSeen && !blankSeen {
				blankSeen = true
				continue
			}
			if err := c.drainTrailingCRLF(); err != nil {
				return err
			}
			break
		}
		if total += len(line); total > maxTrailerBytes {
			return malformedTrailer("trailer section too large")
		}
		rawName, value, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			return malformedTrailer("trailer line without ':'")
		}
		name := strings.ToLower(string(bytes.TrimSpace(rawName)))
		if name == trailerSignatureName {
			if !c.trailerSigned || sigSeen {
				return malformedTrailer("unexpected x-amz-trailer-signature")
			}
			if err := c.verifyTrailer(bytes.TrimSpace(value)); err != nil {
				return err
			}
			sigSeen = true
			continue
		}
		if !c.trailerMode || sigSeen || blankSeen {
			return malformedTrailer("unexpected trailer " + name)
		}
		if !c.isAnnounced(name) {
			return malformedTrailer("trailer " + name + " not announced in x-amz-trailer")
		}
		if _, dup := c.trailers[name]; dup {
			return malformedTrailer("trailer " + name + " repeated")
		}
		c.trailers[name] = string(bytes.TrimSpace(value))
		if c.trailerSigned {
			// The trailer signature covers each line as "name:value\n".
			c.chunkHash.Write(line)
			c.chunkHash.Write([]byte{'\n'})
		}
	}
	if c.trailerSigned && !sigSeen {
		return malformedTrailer("missing x-amz-trailer-signature")
	}
	for _, name := range c.announced {
		if _, ok := c.trailers[name]; !ok {
			return malformedTrailer("missing trailer " + name)
		}
	}
	return nil
}

// readTrailerLine returns the next line without its CRLF or LF; eof reports
// that the body ended (after this line, if it is not empty).
func (c *chunkedReader) readTrailerLine() (line []byte, eof bool, err error) {
	line, err = c.src.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, false, malformedTrailer("trailer line too long")
	case errors.Is(err, io.EOF):
		eof = true
	case err != nil:
		return nil, false, err
	}
	line = bytes.TrimSuffix(line, []byte{'\n'})
	line = bytes.TrimSuffix(line, []byte{'\r'})
	return line, eof, nil
}

// drainTrailingCRLF consumes the end of the body after the closing blank
// line, which may hold a few stray CR/LF bytes but nothing else.
func (c *chunkedReader) drainTrailingCRLF() error {
	for i := 0; ; i++ {
		b, err := c.src.ReadByte()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if (b != '\r' && b != '\n') || i == maxTrailingCRLF {
			return malformedTrailer("data after the trailer section")
		}
	}
}

// verifyTrailer checks the trailer signature, the last link of the chain.
func (c *chunkedReader) verifyTrailer(provided []byte) error {
	sig, ok := decodeHex32(provided)
	if !ok {
		return malformedTrailer("malformed x-amz-trailer-signature")
	}
	c.chunkHash.Sum(c.sum[:0])
	c.sts = append(c.sts[:0], "AWS4-HMAC-SHA256-TRAILER\n"...)
	c.sts = c.appendChainPrefix(c.sts)
	c.sts = hex.AppendEncode(c.sts, c.sum[:])
	return c.checkLink(sig, "trailer")
}

func (c *chunkedReader) isAnnounced(name string) bool {
	for _, a := range c.announced {
		if a == name {
			return true
		}
	}
	return false
}

// malformedTrailer answers with AWS's MalformedTrailerError; the detail stays
// in the wrapping error for logs.
func malformedTrailer(detail string) error {
	return fmt.Errorf("sigv4: aws-chunked: %s: %w", detail, s3.ErrMalformedTrailer)
}
