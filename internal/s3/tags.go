package s3

import (
	"sort"
	"unicode"
	"unicode/utf8"
)

// ValidateTags checks an object tag set against S3's limits: at most
// MaxObjectTags tags, unique keys of 1 to 128 characters, values of at most
// 256, drawn from letters, digits, spaces and + - = . _ : / @. It returns the
// tags sorted by key.
func ValidateTags(tags []Tag) ([]Tag, error) {
	if len(tags) > MaxObjectTags {
		return nil, Errorf(ErrInvalidTag, "Object tags cannot be greater than 10")
	}
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		if n := utf8.RuneCountInString(t.Key); n == 0 || n > MaxTagKeyLength {
			return nil, Errorf(ErrInvalidTag, "The TagKey you have provided is invalid")
		}
		if utf8.RuneCountInString(t.Value) > MaxTagValueLength {
			return nil, Errorf(ErrInvalidTag, "The TagValue you have provided is invalid")
		}
		if !tagText(t.Key) {
			return nil, Errorf(ErrInvalidTag, "The TagKey you have provided is invalid")
		}
		if !tagText(t.Value) {
			return nil, Errorf(ErrInvalidTag, "The TagValue you have provided is invalid")
		}
		if seen[t.Key] {
			return nil, Errorf(ErrInvalidTag, "Cannot provide multiple Tags with the same key")
		}
		seen[t.Key] = true
	}
	out := append([]Tag(nil), tags...)
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func tagText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) {
			continue
		}
		switch r {
		case '+', '-', '=', '.', '_', ':', '/', '@':
			continue
		}
		return false
	}
	return true
}
