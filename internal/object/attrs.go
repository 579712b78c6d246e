package object

import (
	"fmt"
	"unicode/utf8"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// validateAttrs checks what a write stores with an object besides its data
// (PutObject, CreateMultipartUpload): standard headers, user metadata, tags
// and storage class. It returns the tags sorted by key and the storage class
// with its default applied.
func validateAttrs(h meta.ObjectHeaders, m map[string]string, tags []s3.Tag, class string) ([]s3.Tag, string, error) {
	if err := validateMetadata(h, m); err != nil {
		return nil, "", err
	}
	sorted, err := s3.ValidateTags(tags)
	if err != nil {
		return nil, "", err
	}
	class, err = validateStorageClass(class)
	if err != nil {
		return nil, "", err
	}
	return sorted, class, nil
}

// validateMetadata checks the standard headers and user metadata a write
// stores.
func validateMetadata(h meta.ObjectHeaders, m map[string]string) error {
	if err := validateUserMetadata(m); err != nil {
		return err
	}
	return validateHeaders(h)
}

func validateUserMetadata(m map[string]string) error {
	total := 0
	for k, v := range m {
		total += len(k) + len(v)
		// The metadata store keeps text; raw header bytes that are not
		// UTF-8 are the client's error, not an internal one.
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return s3.Errorf(s3.ErrInvalidArgument, "User metadata must be valid UTF-8").With("ArgumentName", metaHeaderPrefix+k)
		}
	}
	if total > s3.MaxUserMetadataSize {
		return s3.ErrMetadataTooLarge.With("Size", fmt.Sprint(total), "MaxSizeAllowed", fmt.Sprint(s3.MaxUserMetadataSize))
	}
	return nil
}

// metaHeaderPrefix names user metadata in error documents.
const metaHeaderPrefix = "x-amz-meta-"

// validateHeaders checks that the stored standard headers are UTF-8 text,
// which the metadata store requires.
func validateHeaders(h meta.ObjectHeaders) error {
	for _, f := range [...]struct{ name, value string }{
		{"Content-Type", h.ContentType}, {"Content-Encoding", h.ContentEncoding},
		{"Content-Disposition", h.ContentDisposition}, {"Content-Language", h.ContentLanguage},
		{"Cache-Control", h.CacheControl}, {"Expires", h.Expires},
	} {
		if !utf8.ValidString(f.value) {
			return s3.Errorf(s3.ErrInvalidArgument, "Header %s must be valid UTF-8", f.name).With("ArgumentName", f.name)
		}
	}
	return nil
}

// validateStorageClass accepts the storage classes whose objects are
// readable at once. Cairn has one tier, so they are stored alike and
// reported as given; the archive classes, which would need a restore before
// a GET, are refused rather than silently served.
func validateStorageClass(c string) (string, error) {
	switch c {
	case "":
		return "STANDARD", nil
	case "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR":
		return c, nil
	}
	return "", s3.ErrInvalidStorageClass.With("StorageClassRequested", c)
}
