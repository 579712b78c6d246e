package sqlmeta

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/cairn-s3/cairn/internal/meta"
)

// checkObject rejects an object that one of the dialects could not store
// exactly, so that SQLite and PostgreSQL accept the same records:
// PostgreSQL's TEXT refuses NUL and invalid UTF-8, and JSON replaces invalid
// UTF-8 in the attributes with U+FFFD.
func checkObject(o *meta.Object) error {
	for _, f := range []struct{ name, v string }{
		{"bucket", o.Bucket}, {"key", o.Key}, {"etag", o.ETag},
		{"storage class", o.StorageClass}, {"owner", o.OwnerID},
	} {
		if !validText(f.v) {
			return fmt.Errorf("sqlmeta: object %q: %s is not UTF-8 text without NUL", o.Key, f.name)
		}
	}
	h := o.Headers
	attrs := []string{h.ContentType, h.ContentEncoding, h.ContentDisposition, h.ContentLanguage,
		h.CacheControl, h.Expires, o.UploadID, string(o.Checksum.Algorithm), string(o.Checksum.Type), o.Checksum.Value}
	for k, v := range o.UserMetadata {
		attrs = append(attrs, k, v)
	}
	for _, t := range o.Tags {
		attrs = append(attrs, t.Key, t.Value)
	}
	for _, s := range attrs {
		if !utf8.ValidString(s) {
			return fmt.Errorf("sqlmeta: object %q: attribute %q is not valid UTF-8", o.Key, s)
		}
	}
	if !validExtraChecksums(o.ExtraChecksums) {
		return fmt.Errorf("sqlmeta: object %q: an extra checksum is not valid UTF-8", o.Key)
	}
	return nil
}

// validText reports whether s can be a TEXT value in both dialects.
func validText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// checkUpload is checkObject for an upload.
func checkUpload(u *meta.Upload) error {
	for _, f := range []struct{ name, v string }{
		{"id", u.ID}, {"bucket", u.Bucket}, {"key", u.Key}, {"owner", u.OwnerID},
	} {
		if !validText(f.v) {
			return fmt.Errorf("sqlmeta: upload %q: %s is not UTF-8 text without NUL", u.ID, f.name)
		}
	}
	h := u.Headers
	attrs := []string{h.ContentType, h.ContentEncoding, h.ContentDisposition, h.ContentLanguage,
		h.CacheControl, h.Expires, u.StorageClass, string(u.ChecksumAlgorithm), string(u.ChecksumType)}
	for k, v := range u.UserMetadata {
		attrs = append(attrs, k, v)
	}
	for _, t := range u.Tags {
		attrs = append(attrs, t.Key, t.Value)
	}
	for _, s := range attrs {
		if !utf8.ValidString(s) {
			return fmt.Errorf("sqlmeta: upload %q: attribute %q is not valid UTF-8", u.ID, s)
		}
	}
	return nil
}

// checkPart rejects a part the dialects could not store alike: PostgreSQL
// keeps part numbers as 32-bit integers, and ListParts lists numbers above
// zero only.
func checkPart(p *meta.Part) error {
	if p.Number < 1 || p.Number > math.MaxInt32 {
		return fmt.Errorf("sqlmeta: upload %q: part number %d out of range", p.UploadID, p.Number)
	}
	if p.Size < 0 {
		return fmt.Errorf("sqlmeta: upload %q: part %d: negative size %d", p.UploadID, p.Number, p.Size)
	}
	for _, f := range []struct{ name, v string }{{"etag", p.ETag}, {"checksum", p.Checksum}} {
		if !validText(f.v) {
			return fmt.Errorf("sqlmeta: upload %q: part %d: %s is not UTF-8 text without NUL", p.UploadID, p.Number, f.name)
		}
	}
	if !validExtraChecksums(p.ExtraChecksums) {
		return fmt.Errorf("sqlmeta: upload %q: part %d: an extra checksum is not valid UTF-8", p.UploadID, p.Number)
	}
	return nil
}

// checkCompletion rejects a completion record the dialects could not store
// alike.
func checkCompletion(c *meta.Completion) error {
	for _, f := range []struct{ name, v string }{
		{"bucket", c.Bucket}, {"key", c.Key}, {"etag", c.ETag}, {"checksum algorithm", string(c.Checksum.Algorithm)},
		{"checksum type", string(c.Checksum.Type)}, {"checksum", c.Checksum.Value},
	} {
		if !validText(f.v) {
			return fmt.Errorf("sqlmeta: completion of upload %q: %s is not UTF-8 text without NUL", c.UploadID, f.name)
		}
	}
	if !validExtraChecksums(c.ExtraChecksums) {
		return fmt.Errorf("sqlmeta: completion of upload %q: an extra checksum is not valid UTF-8", c.UploadID)
	}
	return nil
}
