package sqlmeta

import (
	"fmt"
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
	return nil
}

// validText reports whether s can be a TEXT value in both dialects.
func validText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
