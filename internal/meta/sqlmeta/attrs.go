package sqlmeta

import (
	"encoding/json"
	"fmt"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// objectAttrs is the JSON form of the object (and upload) fields no query
// filters on:
// one text column keeps the schema stable as S3 grows attributes, and stays
// readable with the sqlite3 and psql shells. Short names keep rows small.
type objectAttrs struct {
	Headers      meta.ObjectHeaders `json:"h,omitzero"`
	UserMetadata map[string]string  `json:"m,omitempty"`
	Tags         [][2]string        `json:"t,omitempty"`
	Checksum     *checksumAttrs     `json:"c,omitempty"`
	// ExtraChecksums is absent from rows written before objects had them,
	// which read back as having none.
	ExtraChecksums map[s3.ChecksumAlgorithm]string `json:"x,omitempty"`
	UploadID       string                          `json:"u,omitempty"`
	// StorageClass is set for uploads only; objects keep theirs in a column.
	StorageClass string `json:"s,omitempty"`
}

type checksumAttrs struct {
	Algorithm s3.ChecksumAlgorithm `json:"a,omitempty"`
	Type      s3.ChecksumType      `json:"t,omitempty"`
	Value     string               `json:"v,omitempty"`
}

// encodeAttrs renders o's attribute fields. Strings must be valid UTF-8
// (checkObject enforces it), since JSON would silently replace bad bytes.
func encodeAttrs(o *meta.Object) (string, error) {
	a := objectAttrs{Headers: o.Headers, UploadID: o.UploadID}
	if len(o.UserMetadata) > 0 {
		a.UserMetadata = o.UserMetadata
	}
	a.Tags = tagPairs(o.Tags)
	if o.Checksum != (s3.Checksum{}) {
		a.Checksum = &checksumAttrs{Algorithm: o.Checksum.Algorithm, Type: o.Checksum.Type, Value: o.Checksum.Value}
	}
	if len(o.ExtraChecksums) > 0 {
		a.ExtraChecksums = o.ExtraChecksums
	}
	b, err := json.Marshal(&a)
	if err != nil {
		return "", fmt.Errorf("sqlmeta: encode attributes: %w", err)
	}
	return string(b), nil
}

// decodeAttrs fills o's attribute fields from the stored JSON.
func decodeAttrs(s string, o *meta.Object) error {
	a, err := parseAttrs(s)
	if err != nil {
		return err
	}
	o.Headers = a.Headers
	o.UserMetadata = a.userMetadata()
	o.Tags = a.tags()
	o.Checksum = s3.Checksum{}
	if a.Checksum != nil {
		o.Checksum = s3.Checksum{Algorithm: a.Checksum.Algorithm, Type: a.Checksum.Type, Value: a.Checksum.Value}
	}
	o.ExtraChecksums = nil
	if len(a.ExtraChecksums) > 0 {
		o.ExtraChecksums = a.ExtraChecksums
	}
	o.UploadID = a.UploadID
	return nil
}

// parseAttrs reads stored attribute JSON, by the fast path when it can.
func parseAttrs(s string) (objectAttrs, error) {
	var a objectAttrs
	if !decodeAttrsFast(s, &a) {
		a = objectAttrs{}
		if err := json.Unmarshal([]byte(s), &a); err != nil {
			return a, fmt.Errorf("sqlmeta: decode attributes: %w", err)
		}
	}
	return a, nil
}

// encodeUploadAttrs renders u's attribute fields in the objects' format;
// the checksum carries only the algorithm and type chosen at creation.
func encodeUploadAttrs(u *meta.Upload) (string, error) {
	a := objectAttrs{Headers: u.Headers, Tags: tagPairs(u.Tags), StorageClass: u.StorageClass}
	if len(u.UserMetadata) > 0 {
		a.UserMetadata = u.UserMetadata
	}
	if u.ChecksumAlgorithm != "" || u.ChecksumType != "" {
		a.Checksum = &checksumAttrs{Algorithm: u.ChecksumAlgorithm, Type: u.ChecksumType}
	}
	b, err := json.Marshal(&a)
	if err != nil {
		return "", fmt.Errorf("sqlmeta: encode upload attributes: %w", err)
	}
	return string(b), nil
}

// decodeUploadAttrs fills u's attribute fields from the stored JSON.
func decodeUploadAttrs(s string, u *meta.Upload) error {
	a, err := parseAttrs(s)
	if err != nil {
		return err
	}
	u.Headers = a.Headers
	u.UserMetadata = a.userMetadata()
	u.Tags = a.tags()
	u.StorageClass = a.StorageClass
	u.ChecksumAlgorithm, u.ChecksumType = "", ""
	if a.Checksum != nil {
		u.ChecksumAlgorithm, u.ChecksumType = a.Checksum.Algorithm, a.Checksum.Type
	}
	return nil
}

// userMetadata is a's metadata, nil when empty.
func (a *objectAttrs) userMetadata() map[string]string {
	if len(a.UserMetadata) == 0 {
		return nil
	}
	return a.UserMetadata
}

// tags is a's tags, nil when empty.
func (a *objectAttrs) tags() []s3.Tag {
	if len(a.Tags) == 0 {
		return nil
	}
	tags := make([]s3.Tag, len(a.Tags))
	for i, p := range a.Tags {
		tags[i] = s3.Tag{Key: p[0], Value: p[1]}
	}
	return tags
}

func tagPairs(tags []s3.Tag) [][2]string {
	if len(tags) == 0 {
		return nil
	}
	p := make([][2]string, len(tags))
	for i, t := range tags {
		p[i] = [2]string{t.Key, t.Value}
	}
	return p
}
