package checksum_test

import (
	"crypto/md5"
	"errors"
	"testing"

	"github.com/cairn-s3/cairn/internal/checksum"
	"github.com/cairn-s3/cairn/internal/s3"
)

func TestComposite(t *testing.T) {
	parts := [][]byte{[]byte("hello"), []byte("world"), []byte("!")}
	// Computed independently: base64(H(H(p1)‖H(p2)‖H(p3))) + "-3".
	want := map[s3.ChecksumAlgorithm]string{
		s3.ChecksumCRC32:  "4MYM7g==-3",
		s3.ChecksumCRC32C: "Q0oQwQ==-3",
		s3.ChecksumSHA1:   "mv29MNdJ2zZVwNQGZplyUGq0GyI=-3",
		s3.ChecksumSHA256: "hhE8XY/PCO6r52koutWHFBftHRcSeNs0iE1UtOU0ls4=-3",
	}
	for alg, w := range want {
		var sums [][]byte
		for _, p := range parts {
			sums = append(sums, sum(t, alg, p))
		}
		got, err := checksum.Composite(alg, sums)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if got != w {
			t.Errorf("Composite(%s) = %s, want %s", alg, got, w)
		}
	}
}

func TestCompositeErrors(t *testing.T) {
	four := make([]byte, 4)
	if _, err := checksum.Composite(s3.ChecksumCRC64NVME, [][]byte{make([]byte, 8)}); !errors.Is(err, s3.ErrInvalidRequest) {
		t.Errorf("Composite(CRC64NVME): %v, want InvalidRequest", err)
	}
	if _, err := checksum.Composite(s3.ChecksumCRC32, nil); err == nil {
		t.Error("Composite of no parts: no error")
	}
	if _, err := checksum.Composite(s3.ChecksumCRC32, [][]byte{four, four[:2]}); !errors.Is(err, checksum.ErrBadLength) {
		t.Errorf("Composite with a short part checksum: %v, want ErrBadLength", err)
	}
	if _, err := checksum.Composite("BLAKE3", [][]byte{four}); err == nil {
		t.Error("Composite with an unknown algorithm: no error")
	}
}

func TestMultipartETag(t *testing.T) {
	md5Of := func(s string) []byte { h := md5.Sum([]byte(s)); return h[:] }
	zeros := md5.Sum(make([]byte, 5<<20))
	tests := []struct {
		name  string
		parts [][]byte
		want  string
	}{
		// Hand-computed: hex(md5(md5("hello")‖md5("world")‖md5("!"))) + "-3".
		{"three parts", [][]byte{md5Of("hello"), md5Of("world"), md5Of("!")}, "0fe6b306db3706d84493a6b930bb5ea8-3"},
		// Two 5 MiB parts of zeros, as aws s3 cp would upload them.
		{"two 5 MiB zero parts", [][]byte{zeros[:], zeros[:]}, "a7d414b9133d6483d9a1c4e04e856e3b-2"},
		// A single part still gets the "-1" suffix and is not the part's MD5.
		{"one part", [][]byte{md5Of("")}, "59adb24ef3cdbe0297f05b395827453f-1"},
	}
	for _, tt := range tests {
		if got := checksum.MultipartETag(tt.parts); got != tt.want {
			t.Errorf("%s: MultipartETag = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestCheckTypeAllowed(t *testing.T) {
	const (
		composite = s3.ChecksumTypeComposite
		full      = s3.ChecksumTypeFullObject
	)
	tests := []struct {
		alg     s3.ChecksumAlgorithm
		typ     s3.ChecksumType
		wantMsg string // "" means allowed
	}{
		{s3.ChecksumCRC32, composite, ""},
		{s3.ChecksumCRC32, full, ""},
		{s3.ChecksumCRC32C, composite, ""},
		{s3.ChecksumCRC32C, full, ""},
		{s3.ChecksumCRC64NVME, full, ""},
		{s3.ChecksumCRC64NVME, composite, "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm."},
		{checksum.CRC64ECMA, full, ""},
		{checksum.CRC64ECMA, composite, "The COMPOSITE checksum type cannot be used with the crc64ecma checksum algorithm."},
		{s3.ChecksumSHA1, composite, ""},
		{s3.ChecksumSHA1, full, "The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm."},
		{s3.ChecksumSHA256, composite, ""},
		{s3.ChecksumSHA256, full, "The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm."},
		{s3.ChecksumSHA256, "", ""},
		{s3.ChecksumCRC64NVME, "", ""},
		{s3.ChecksumCRC32, "full_object", "Value for x-amz-checksum-type header is invalid."},
		{s3.ChecksumCRC32, "BOTH", "Value for x-amz-checksum-type header is invalid."},
		{s3.ChecksumXXHASH3, full, "The FULL_OBJECT checksum type cannot be used with the xxhash3 checksum algorithm."},
		{s3.ChecksumSHA512, composite, ""},
		{"BLAKE3", composite, "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5, XXHASH64, XXHASH3, XXHASH128]"},
		{"", full, "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5, XXHASH64, XXHASH3, XXHASH128]"},
	}
	for _, tt := range tests {
		err := checksum.CheckTypeAllowed(tt.alg, tt.typ)
		if tt.wantMsg == "" {
			if err != nil {
				t.Errorf("CheckTypeAllowed(%q, %q): %v", tt.alg, tt.typ, err)
			}
			continue
		}
		var e *s3.Error
		if !errors.As(err, &e) || e.Code != s3.ErrInvalidRequest {
			t.Errorf("CheckTypeAllowed(%q, %q) = %v, want an InvalidRequest *s3.Error", tt.alg, tt.typ, err)
			continue
		}
		if e.Text() != tt.wantMsg {
			t.Errorf("CheckTypeAllowed(%q, %q) message %q, want %q", tt.alg, tt.typ, e.Text(), tt.wantMsg)
		}
	}
}

func TestDefaultType(t *testing.T) {
	want := map[s3.ChecksumAlgorithm]s3.ChecksumType{
		s3.ChecksumCRC32:     s3.ChecksumTypeComposite,
		s3.ChecksumCRC32C:    s3.ChecksumTypeComposite,
		s3.ChecksumCRC64NVME: s3.ChecksumTypeFullObject,
		checksum.CRC64ECMA:   s3.ChecksumTypeFullObject,
		s3.ChecksumSHA1:      s3.ChecksumTypeComposite,
		s3.ChecksumSHA256:    s3.ChecksumTypeComposite,
		s3.ChecksumMD5:       s3.ChecksumTypeComposite,
		s3.ChecksumXXHASH128: s3.ChecksumTypeComposite,
		"BLAKE3":             "",
	}
	for alg, typ := range want {
		if got := checksum.DefaultType(alg); got != typ {
			t.Errorf("DefaultType(%q) = %q, want %q", alg, got, typ)
		}
		if typ != "" {
			if err := checksum.CheckTypeAllowed(alg, typ); err != nil {
				t.Errorf("the default type of %s is not allowed: %v", alg, err)
			}
		}
	}
}
