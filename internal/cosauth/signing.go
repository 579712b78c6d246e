package cosauth

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
)

// signKey is SignKey = hex(HMAC-SHA1(secret, q-key-time)); the lower-case
// hex string, not the raw MAC, keys the signature.
func signKey(secret, keyTime string) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(keyTime))
	return hex.EncodeToString(mac.Sum(nil))
}

// stringToSign is "sha1\n<time>\n<hex(SHA1(FormatString))>\n", where time
// is q-sign-time as Tencent's documentation says (the SDK writes
// q-key-time, which it normally sets equal).
func stringToSign(signTime, formatString string) string {
	sum := sha1.Sum([]byte(formatString))
	return algorithmSHA1 + "\n" + signTime + "\n" + hex.EncodeToString(sum[:]) + "\n"
}

// signature is HMAC-SHA1(signKey, stringToSign).
func signature(signKey, stringToSign string) [sha1.Size]byte {
	mac := hmac.New(sha1.New, []byte(signKey))
	mac.Write([]byte(stringToSign))
	return [sha1.Size]byte(mac.Sum(nil))
}

// signatureMatches compares a provided hex signature with the computed MAC
// in constant time; anything that is not 40 hex digits does not match.
func signatureMatches(provided string, want [sha1.Size]byte) bool {
	if len(provided) != 2*sha1.Size {
		return false
	}
	got, err := hex.DecodeString(provided)
	return err == nil && hmac.Equal(got, want[:])
}
