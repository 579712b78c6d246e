package object

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// Conditions are the preconditions of a read: GET and HEAD, or the
// x-amz-copy-source-if-* headers of a copy. Empty strings and nil times are
// absent headers.
type Conditions struct {
	IfMatch           string
	IfNoneMatch       string
	IfModifiedSince   *time.Time
	IfUnmodifiedSince *time.Time
}

// WriteConditions are the preconditions of a conditional write (PutObject,
// CompleteMultipartUpload): If-None-Match: * and If-Match: <etag>.
type WriteConditions struct {
	IfMatch     string
	IfNoneMatch string
}

// checkRead evaluates c as S3 does for GET and HEAD: a true If-Match
// overrides a false If-Unmodified-Since, and a false If-None-Match (the ETag
// matches) answers 304 whatever If-Modified-Since says.
func (c Conditions) checkRead(o meta.Object) error {
	if err := c.checkMatch(o); err != nil {
		return err
	}
	if c.IfNoneMatch != "" {
		if etagListMatches(c.IfNoneMatch, o.ETag) {
			return notModified(o)
		}
	} else if c.IfModifiedSince != nil && !modifiedSince(o.LastModified, *c.IfModifiedSince) {
		return notModified(o)
	}
	return nil
}

// checkCopySource evaluates the x-amz-copy-source-if-* headers, where every
// failed condition is 412.
func (c Conditions) checkCopySource(o meta.Object) error {
	if err := c.checkMatch(o); err != nil {
		return err
	}
	if c.IfNoneMatch != "" {
		if etagListMatches(c.IfNoneMatch, o.ETag) {
			return s3.ErrPreconditionFailed.With("Condition", "x-amz-copy-source-If-None-Match")
		}
	} else if c.IfModifiedSince != nil && !modifiedSince(o.LastModified, *c.IfModifiedSince) {
		return s3.ErrPreconditionFailed.With("Condition", "x-amz-copy-source-If-Modified-Since")
	}
	return nil
}

func (c Conditions) checkMatch(o meta.Object) error {
	if c.IfMatch != "" {
		if !etagListMatches(c.IfMatch, o.ETag) {
			return s3.ErrPreconditionFailed.With("Condition", "If-Match")
		}
		return nil
	}
	if c.IfUnmodifiedSince != nil && modifiedSince(o.LastModified, *c.IfUnmodifiedSince) {
		return s3.ErrPreconditionFailed.With("Condition", "If-Unmodified-Since")
	}
	return nil
}

// check evaluates write conditions against a key's state. If-Match on a
// missing key is NoSuchKey, as AWS answers.
func (c WriteConditions) check(key string, st objectState) error {
	if c.IfNoneMatch != "" {
		if strings.TrimSpace(c.IfNoneMatch) != "*" {
			return s3.Errorf(s3.ErrNotImplemented, "If-None-Match only accepts *").With("Header", "If-None-Match")
		}
		if st.exists {
			return s3.ErrPreconditionFailed.With("Condition", "If-None-Match")
		}
	}
	if c.IfMatch != "" {
		if !st.exists {
			return s3.ErrNoSuchKey.With("Key", key)
		}
		if !etagListMatches(c.IfMatch, st.etag) {
			return s3.ErrPreconditionFailed.With("Condition", "If-Match")
		}
	}
	return nil
}

func (c WriteConditions) isZero() bool { return c.IfMatch == "" && c.IfNoneMatch == "" }

// objectState is the version of a key at one moment: absent, or an object
// with its ETag and modification time.
type objectState struct {
	exists   bool
	etag     string
	modified int64
}

func readObjectState(tx meta.ReadTx, bucket, key string) (objectState, error) {
	o, err := tx.GetObject(bucket, key)
	if errors.Is(err, meta.ErrNotFound) {
		return objectState{}, nil
	}
	if err != nil {
		return objectState{}, fmt.Errorf("get object %q/%q: %w", bucket, key, err)
	}
	return objectState{exists: true, etag: o.ETag, modified: o.LastModified.UnixNano()}, nil
}

// checkConditionalWrite evaluates write conditions inside the committing
// transaction, against the key as it is now and as it was when the request
// began (before). If the key changed in between and the conditions held at
// the start, a concurrent write won the race: 409
// ConditionalRequestConflict, after which S3 clients restart the upload.
// Otherwise a failed condition is 412 (or 404 for If-Match on no key).
func checkConditionalWrite(tx meta.ReadTx, bucket, key string, c WriteConditions, before objectState) error {
	if c.isZero() {
		return nil
	}
	now, err := readObjectState(tx, bucket, key)
	if err != nil {
		return err
	}
	if now != before && c.check(key, before) == nil {
		return s3.ErrConditionalRequestConflict.With("Key", key)
	}
	return c.check(key, now)
}

// modifiedSince compares at HTTP-date precision: one second.
func modifiedSince(lastModified, t time.Time) bool {
	return lastModified.Truncate(time.Second).After(t)
}

// etagListMatches reports whether a comma-separated If-Match/If-None-Match
// value names etag: "*" matches any, quotes and W/ are optional.
func etagListMatches(list, etag string) bool {
	for _, candidate := range strings.Split(list, ",") {
		candidate = strings.TrimSpace(candidate)
		if candidate == "*" {
			return true
		}
		candidate = strings.TrimPrefix(candidate, "W/")
		if strings.Trim(candidate, `"`) == etag {
			return true
		}
	}
	return false
}

// httpDate is the HTTP date layout (net/http's TimeFormat, which a storage
// layer package does not import).
const httpDate = "Mon, 02 Jan 2006 15:04:05 GMT"

func notModified(o meta.Object) error {
	e := &s3.Error{Code: s3.ErrNotModified, Header: map[string]string{
		"ETag":          `"` + o.ETag + `"`,
		"Last-Modified": o.LastModified.UTC().Format(httpDate),
	}}
	return e
}
