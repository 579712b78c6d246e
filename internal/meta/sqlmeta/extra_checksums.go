package sqlmeta

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/cairn-s3/cairn/internal/s3"
)

// The extra checksums of parts and completions are a nullable text column
// holding a JSON object of algorithm to base64 value, the form objects keep
// under "x" in their attributes. No extras is NULL.

// encodeExtraChecksums renders m for an extra_checksums column: nil (NULL)
// when m is empty, else the JSON text. Keys and values must be valid UTF-8
// (validExtraChecksums), since JSON would silently replace bad bytes.
func encodeExtraChecksums(m map[s3.ChecksumAlgorithm]string) (any, error) {
	if len(m) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: encode extra checksums: %w", err)
	}
	return string(b), nil
}

// decodeExtraChecksums reads an extra_checksums column, "" for NULL; no
// checksums read back as nil. The fast parser takes what the encoder
// writes for base64 values, so that listing 10,000 parts that each carry a
// CRC-64 costs no reflection; anything else goes to encoding/json.
func decodeExtraChecksums(s string) (map[s3.ChecksumAlgorithm]string, error) {
	if s == "" {
		return nil, nil
	}
	var m map[s3.ChecksumAlgorithm]string
	if !decodeExtraChecksumsFast(s, &m) {
		m = nil
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return nil, fmt.Errorf("sqlmeta: decode extra checksums: %w", err)
		}
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// decodeExtraChecksumsFast parses a whole JSON object of strings into *m
// without escapes or whitespace, reporting false for anything else. When
// it succeeds, *m is what encoding/json would give (FuzzDecodeExtraChecksums
// checks this).
func decodeExtraChecksumsFast(s string, m *map[s3.ChecksumAlgorithm]string) bool {
	p := attrsParser{s: s}
	return p.checksumMap(m) && p.done()
}

// validExtraChecksums reports whether m's algorithms and values are valid
// UTF-8, which JSON needs to keep them exactly.
func validExtraChecksums(m map[s3.ChecksumAlgorithm]string) bool {
	for a, v := range m {
		if !utf8.ValidString(string(a)) || !utf8.ValidString(v) {
			return false
		}
	}
	return true
}
