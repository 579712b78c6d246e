package checksum_test

import (
	"errors"
	"testing"

	"github.com/cairn-s3/cairn/internal/checksum"
	"github.com/cairn-s3/cairn/internal/s3"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name  string
		alg   s3.ChecksumAlgorithm
		value string
		ok    bool
	}{
		{"crc32 valid", s3.ChecksumCRC32, "y/Q5Jg==", true},
		{"crc32 zero", s3.ChecksumCRC32, "AAAAAA==", true},
		{"crc32c valid", s3.ChecksumCRC32C, "4waSgw==", true},
		{"crc64nvme valid", s3.ChecksumCRC64NVME, "rosUhgp5mIg=", true},
		{"crc64ecma valid", checksum.CRC64ECMA, "mV3Ju98ZOfo=", true},
		{"sha1 valid", s3.ChecksumSHA1, "98O8HYCOBHMq32eZZczDTKeuNEE=", true},
		{"sha256 valid", s3.ChecksumSHA256, "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=", true},

		{"empty", s3.ChecksumCRC32, "", false},
		{"not base64", s3.ChecksumCRC32, "y/Q5J!==", false},
		{"url alphabet", s3.ChecksumSHA1, "98O8HYCOBHMq32eZZczDTKeuNEE_", false},
		{"missing padding", s3.ChecksumCRC32, "y/Q5Jg", false},
		{"short padding", s3.ChecksumCRC32, "y/Q5Jg=", false},
		{"extra padding", s3.ChecksumCRC32, "y/Q5Jg===", false},
		{"padding inside", s3.ChecksumCRC32, "y/Q=5Jg=", false},
		{"non-zero padding bits", s3.ChecksumCRC32, "y/Q5Jh==", false},
		{"line break", s3.ChecksumCRC32, "y/Q5\nJg==", false},
		{"carriage return", s3.ChecksumCRC64NVME, "rosUhgp5\rmIg=", false},
		{"space", s3.ChecksumCRC32, "y/Q5 Jg=", false},
		{"too short for crc32", s3.ChecksumCRC32, "AAAA", false},
		{"too long for crc32", s3.ChecksumCRC32, "rosUhgp5mIg=", false},
		{"crc32 for crc64nvme", s3.ChecksumCRC64NVME, "y/Q5Jg==", false},
		{"sha1 for sha256", s3.ChecksumSHA256, "98O8HYCOBHMq32eZZczDTKeuNEE=", false},
		{"composite suffix", s3.ChecksumCRC32, "y/Q5Jg==-2", false},
		{"unknown algorithm", "MD5", "y/Q5Jg==", false},
		{"lower-case algorithm", "crc32", "y/Q5Jg==", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := checksum.Decode(tt.alg, tt.value)
			if tt.ok {
				if err != nil {
					t.Fatalf("Decode(%s, %q): %v", tt.alg, tt.value, err)
				}
				if len(raw) != checksum.Size(tt.alg) || checksum.Encode(raw) != tt.value {
					t.Fatalf("Decode(%s, %q) = %x, does not round-trip", tt.alg, tt.value, raw)
				}
				return
			}
			if err == nil {
				t.Fatalf("Decode(%s, %q) = %x, want an error", tt.alg, tt.value, raw)
			}
			checkInvalidValue(t, tt.alg, err)
		})
	}
}

// checkInvalidValue asserts that err is AWS's InvalidRequest for a malformed
// x-amz-checksum-<alg> header.
func checkInvalidValue(t *testing.T, alg s3.ChecksumAlgorithm, err error) {
	t.Helper()
	var e *s3.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *s3.Error", err, err)
	}
	if !errors.Is(err, s3.ErrInvalidRequest) || e.Status() != 400 {
		t.Errorf("code %s status %d, want InvalidRequest 400", e.Code, e.Status())
	}
	want := "Value for " + alg.HeaderName() + " header is invalid."
	if e.Text() != want {
		t.Errorf("message %q, want %q", e.Text(), want)
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		raw  []byte
		want string
	}{
		{nil, ""},
		{[]byte{0}, "AA=="},
		{[]byte{0xcb, 0xf4, 0x39, 0x26}, "y/Q5Jg=="},
		{[]byte{0xfb, 0xff}, "+/8="},
	}
	for _, tt := range tests {
		if got := checksum.Encode(tt.raw); got != tt.want {
			t.Errorf("Encode(%x) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}
