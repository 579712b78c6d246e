package sqlmeta

import (
	"encoding/json"
	"fmt"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// objectAttrs is the JSON form of the object fields no query filters on:
// one text column keeps the schema stable as S3 grows attributes, and stays
// readable with the sqlite3 and psql shells. Short names keep rows small.
type objectAttrs struct {
	Headers      meta.ObjectHeaders `json:"h,omitzero"`
	UserMetadata map[string]string  `json:"m,omitempty"`
	Tags         [][2]string        `json:"t,omitempty"`
	Checksum     *checksumAttrs     `json:"c,omitempty"`
	UploadID     string             `json:"u,omitempty"`
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
	b, err := json.Marshal(&a)
	if err != nil {
		return "", fmt.Errorf("sqlmeta: encode attributes: %w", err)
	}
	return string(b), nil
}

// decodeAttrs fills o's attribute fields from the stored JSON.
func decodeAttrs(s string, o *meta.Object) error {
	var a objectAttrs
	if !decodeAttrsFast(s, &a) {
		a = objectAttrs{}
		if err := json.Unmarshal([]byte(s), &a); err != nil {
			return fmt.Errorf("sqlmeta: decode attributes: %w", err)
		}
	}
	o.Headers = a.Headers
	o.UserMetadata = nil
	if len(a.UserMetadata) > 0 {
		o.UserMetadata = a.UserMetadata
	}
	o.Tags = nil
	if len(a.Tags) > 0 {
		o.Tags = make([]s3.Tag, len(a.Tags))
		for i, p := range a.Tags {
			o.Tags[i] = s3.Tag{Key: p[0], Value: p[1]}
		}
	}
	o.Checksum = s3.Checksum{}
	if a.Checksum != nil {
		o.Checksum = s3.Checksum{Algorithm: a.Checksum.Algorithm, Type: a.Checksum.Type, Value: a.Checksum.Value}
	}
	o.UploadID = a.UploadID
	return nil
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
