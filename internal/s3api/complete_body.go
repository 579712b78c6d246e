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

// completePartXML is one <Part> element as sent.
type completePartXML struct {
	PartNumber        *string `xml:"PartNumber"`
	ETag              string  `xml:"ETag"`
	ChecksumCRC32     *string `xml:"ChecksumCRC32"`
	ChecksumCRC32C    *string `xml:"ChecksumCRC32C"`
	ChecksumCRC64NVME *string `xml:"ChecksumCRC64NVME"`
	ChecksumSHA1      *string `xml:"ChecksumSHA1"`
	ChecksumSHA256    *string `xml:"ChecksumSHA256"`
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
	for _, c := range []struct {
		alg s3.ChecksumAlgorithm
		v   *string
	}{
		{s3.ChecksumCRC32, px.ChecksumCRC32},
		{s3.ChecksumCRC32C, px.ChecksumCRC32C},
		{s3.ChecksumCRC64NVME, px.ChecksumCRC64NVME},
		{s3.ChecksumSHA1, px.ChecksumSHA1},
		{s3.ChecksumSHA256, px.ChecksumSHA256},
	} {
		if c.v == nil {
			continue
		}
		if p.ChecksumAlgorithm != "" {
			return object.CompletedPart{}, s3.Errorf(s3.ErrInvalidArgument, "Invalid Base64 or multiple checksums present in request")
		}
		p.ChecksumAlgorithm, p.Checksum = c.alg, strings.TrimSpace(*c.v)
	}
	return p, nil
}
