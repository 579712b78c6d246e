package object

import (
	"strconv"

	"github.com/cairn-s3/cairn/internal/s3"
)

// CompletedPart is one <Part> of a CompleteMultipartUpload request.
type CompletedPart struct {
	Number int
	// ETag as sent, with or without quotes.
	ETag string
	// ChecksumAlgorithm and Checksum are the part's additional checksum, if
	// the request gave one (at most one per part).
	ChecksumAlgorithm s3.ChecksumAlgorithm
	Checksum          string
}

// validatePartList checks the shape of a Complete part list before any part
// is looked up: at least one part, numbers within 1..10,000, strictly
// ascending (a duplicate is out of order too), and, when consecutive is set
// (the upload uses an additional checksum), numbered 1, 2, 3, … with no gap.
func validatePartList(parts []CompletedPart, consecutive bool) error {
	if len(parts) == 0 {
		return s3.Errorf(s3.ErrMalformedXML, "You must specify at least one part")
	}
	if len(parts) > s3.MaxPartNumber {
		return s3.Errorf(s3.ErrInvalidArgument, "Part number must be an integer between 1 and 10000, inclusive")
	}
	prev := 0
	for i, p := range parts {
		if p.Number < 1 {
			return s3.Errorf(s3.ErrInvalidArgument, "PartNumber must be >= 1").
				With("ArgumentName", "PartNumber", "ArgumentValue", strconv.Itoa(p.Number))
		}
		if p.Number > s3.MaxPartNumber {
			return s3.Errorf(s3.ErrInvalidArgument, "Part number must be an integer between 1 and 10000, inclusive").
				With("ArgumentName", "PartNumber", "ArgumentValue", strconv.Itoa(p.Number))
		}
		if p.Number <= prev {
			return s3.ErrInvalidPartOrder
		}
		if consecutive && p.Number != i+1 {
			return s3.Errorf(s3.ErrInvalidPartOrder, "The list of parts was not in ascending order. Parts must be ordered by part number, and when checksums are used they must be numbered consecutively from 1.")
		}
		prev = p.Number
	}
	return nil
}

// stripQuotes removes the quotes clients put around ETags, if any.
func stripQuotes(etag string) string {
	if len(etag) >= 2 && etag[0] == '"' && etag[len(etag)-1] == '"' {
		return etag[1 : len(etag)-1]
	}
	return etag
}
