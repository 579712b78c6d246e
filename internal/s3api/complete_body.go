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

// completePartXML is one <Part> element as sent. The checksum elements are
// gathered by name, so that every algorithm is read the same way.
type completePartXML struct {
	PartNumber *string       `xml:"PartNumber"`
	ETag       string        `xml:"ETag"`
	Other      []xmlAnyField `xml:",any"`
}

// xmlAnyField is an element completePartXML has no field for.
type xmlAnyField struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// parseCompleteBody decodes a CompleteMultipartUpload document part by part,
// never holding more than the decoded list. Anything that is not a
// well-formed document of that root is MalformedXML; a part with more than
// one checksum is InvalidArgument, as in S3.
func parseCompleteBody(r io.Reader) ([]object.CompletedPart, error) {
	dec := xml.NewDecoder(r)
	var parts []object.CompletedPart
	depth := 0
	sawRoot := false
	for {
		tok, err := dec.Token()
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
			depth++
			switch {
			case depth == 1:
				if t.Name.Local != "CompleteMultipartUpload" {
					return nil, s3.ErrMalformedXML
				}
				sawRoot = true
			case depth == 2 && t.Name.Local == "Part":
				var px completePartXML
				if err := dec.DecodeElement(&px, &t); err != nil {
					if e, ok := s3.AsError(err); ok {
						return nil, e
					}
					return nil, s3.ErrMalformedXML
				}
				depth--
				p, err := px.part()
				if err != nil {
					return nil, err
				}
				if len(parts) >= s3.MaxPartNumber {
					return nil, s3.Errorf(s3.ErrInvalidArgument, "Part number must be an integer between 1 and 10000, inclusive")
				}
				parts = append(parts, p)
			default:
				if err := dec.Skip(); err != nil {
					return nil, s3.ErrMalformedXML
				}
				depth--
			}
		case xml.EndElement:
			depth--
		}
	}
	if !sawRoot || depth != 0 {
		return nil, s3.ErrMalformedXML
	}
	if len(parts) == 0 {
		return nil, s3.Errorf(s3.ErrMalformedXML, "You must specify at least one part")
	}
	return parts, nil
}

func (px completePartXML) part() (object.CompletedPart, error) {
	if px.PartNumber == nil {
		return object.CompletedPart{}, s3.ErrMalformedXML
	}
	n, err := strconv.Atoi(strings.TrimSpace(*px.PartNumber))
	if err != nil {
		return object.CompletedPart{}, s3.ErrMalformedXML
	}
	p := object.CompletedPart{Number: n, ETag: strings.TrimSpace(px.ETag)}
	for _, f := range px.Other {
		name, ok := strings.CutPrefix(f.XMLName.Local, "Checksum")
		if !ok {
			continue // unknown elements are ignored, as S3 does
		}
		alg, known := s3.ParseChecksumAlgorithm(name)
		if !known || string(alg) != name {
			continue
		}
		if p.ChecksumAlgorithm != "" {
			return object.CompletedPart{}, s3.Errorf(s3.ErrInvalidArgument, "Invalid Base64 or multiple checksums present in request")
		}
		p.ChecksumAlgorithm, p.Checksum = alg, strings.TrimSpace(f.Value)
	}
	return p, nil
}
