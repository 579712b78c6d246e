package s3api

import (
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/cairn-s3/cairn/internal/object"
	"github.com/cairn-s3/cairn/internal/s3"
)

// maxCompleteBody bounds a CompleteMultipartUpload document: 10,000 parts
// with an ETag and a checksum each fit in well under 4 MiB.
const maxCompleteBody = 4 << 20

// parseCompleteBody decodes a CompleteMultipartUpload document token by
// token. A 10,000-part document is the hot path of a large Complete, and
// reflection-driven decoding of each <Part> cost more than the metadata
// transaction. Anything that is not a well-formed document of that root is
// MalformedXML; a part with more than one checksum is InvalidArgument, as in
// S3; unknown elements are ignored.
func parseCompleteBody(r io.Reader) ([]object.CompletedPart, error) {
	dec := xml.NewDecoder(r)
	var (
		parts   []object.CompletedPart
		stack   []string // open elements: RawToken does not check nesting
		part    partFields
		inPart  bool
		sawRoot bool
		text    []byte
	)
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if e, ok := s3.AsError(err); ok {
				return nil, e // a signature or digest failure of the body
			}
			return nil, s3.ErrMalformedXML
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			stack = append(stack, name)
			switch len(stack) {
			case 1:
				if name != "CompleteMultipartUpload" || sawRoot {
					return nil, s3.ErrMalformedXML
				}
				sawRoot = true
			case 2:
				if inPart = name == "Part"; inPart {
					part = partFields{}
				}
			}
			text = text[:0]
		case xml.CharData:
			if inPart && len(stack) == 3 {
				text = append(text, t...)
			}
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1] != t.Name.Local {
				return nil, s3.ErrMalformedXML
			}
			switch {
			case inPart && len(stack) == 3:
				if err := part.set(t.Name.Local, string(text)); err != nil {
					return nil, err
				}
			case inPart && len(stack) == 2:
				p, err := part.part()
				if err != nil {
					return nil, err
				}
				if len(parts) >= s3.MaxPartNumber {
					return nil, s3.Errorf(s3.ErrInvalidArgument, "Part number must be an integer between 1 and 10000, inclusive")
				}
				parts = append(parts, p)
				inPart = false
			}
			stack = stack[:len(stack)-1]
		}
	}
	if !sawRoot || len(stack) != 0 {
		return nil, s3.ErrMalformedXML
	}
	if len(parts) == 0 {
		return nil, s3.Errorf(s3.ErrMalformedXML, "You must specify at least one part")
	}
	return parts, nil
}

// partFields gathers the elements of one <Part>.
type partFields struct {
	number    *string
	etag      string
	algorithm s3.ChecksumAlgorithm
	checksum  string
}

func (f *partFields) set(name, value string) error {
	switch name {
	case "PartNumber":
		f.number = &value
	case "ETag":
		f.etag = value
	default:
		alg, ok := checksumElement(name)
		if !ok {
			return nil // unknown elements are ignored, as S3 does
		}
		if f.algorithm != "" {
			return s3.Errorf(s3.ErrInvalidArgument, "Invalid Base64 or multiple checksums present in request")
		}
		f.algorithm, f.checksum = alg, strings.TrimSpace(value)
	}
	return nil
}

// checksumElement maps an element such as "ChecksumCRC32" to its algorithm.
func checksumElement(name string) (s3.ChecksumAlgorithm, bool) {
	rest, ok := strings.CutPrefix(name, "Checksum")
	if !ok {
		return "", false
	}
	alg, known := s3.ParseChecksumAlgorithm(rest)
	return alg, known && string(alg) == rest
}

func (f partFields) part() (object.CompletedPart, error) {
	if f.number == nil {
		return object.CompletedPart{}, s3.ErrMalformedXML
	}
	n, err := strconv.Atoi(strings.TrimSpace(*f.number))
	if err != nil {
		return object.CompletedPart{}, s3.ErrMalformedXML
	}
	return object.CompletedPart{Number: n, ETag: strings.TrimSpace(f.etag), ChecksumAlgorithm: f.algorithm, Checksum: f.checksum}, nil
}
