package checksum_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cairn-s3/cairn/internal/checksum"
	"github.com/cairn-s3/cairn/internal/s3"
)

// FuzzCombineCRC checks the defining property of CombineCRC for every CRC
// algorithm: combining the CRCs of the two halves equals the one-shot CRC.
func FuzzCombineCRC(f *testing.F) {
	f.Add([]byte("123456789"), uint(4))
	f.Add([]byte{}, uint(0))
	f.Add([]byte("abc"), uint(0))
	f.Add([]byte("abc"), uint(3))
	f.Add(bytes.Repeat([]byte{0xff}, 300), uint(129))
	f.Add(bytes.Repeat([]byte{0}, 1025), uint(1))
	f.Fuzz(func(t *testing.T, data []byte, split uint) {
		s := int(split % uint(len(data)+1))
		for _, alg := range crcAlgorithms {
			checkCombine(t, alg, data[:s], data[s:])
		}
	})
}

// FuzzDecode checks that Decode never panics, accepts exactly the canonical
// encodings of values of the right size, and fails only with AWS's
// InvalidRequest.
func FuzzDecode(f *testing.F) {
	for _, v := range []string{"y/Q5Jg==", "AAAAAA==", "rosUhgp5mIg=", "98O8HYCOBHMq32eZZczDTKeuNEE=",
		"FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=", "", "y/Q5Jh==", "y/Q5\nJg==", "y/Q5Jg==-3", "====", "\x00\xff"} {
		for i := range crcAlgorithms {
			f.Add(uint8(i), v)
		}
		f.Add(uint8(4), v)
		f.Add(uint8(5), v)
	}
	algs := append(append([]s3.ChecksumAlgorithm(nil), crcAlgorithms...), s3.ChecksumSHA1, s3.ChecksumSHA256, "NONE")
	f.Fuzz(func(t *testing.T, which uint8, value string) {
		alg := algs[int(which)%len(algs)]
		raw, err := checksum.Decode(alg, value)
		if err != nil {
			var e *s3.Error
			if !errors.As(err, &e) || e.Code != s3.ErrInvalidRequest {
				t.Fatalf("Decode(%s, %q) error %v is not an InvalidRequest *s3.Error", alg, value, err)
			}
			return
		}
		if len(raw) != checksum.Size(alg) {
			t.Fatalf("Decode(%s, %q) = %d bytes, want %d", alg, value, len(raw), checksum.Size(alg))
		}
		if enc := checksum.Encode(raw); enc != value {
			t.Fatalf("Decode(%s, %q) accepted a non-canonical value (canonical %q)", alg, value, enc)
		}
	})
}
