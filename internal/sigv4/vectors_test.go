package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-s3/cairn/internal/s3"
)

type awsExample struct {
	Name                   string      `json:"name"`
	Method                 string      `json:"method"`
	Host                   string      `json:"host"`
	Path                   string      `json:"path"`
	Query                  string      `json:"query"`
	Headers                [][2]string `json:"headers"`
	Body                   string      `json:"body"`
	Presigned              bool        `json:"presigned"`
	SignedHeaders          string      `json:"signed_headers"`
	PayloadHash            string      `json:"payload_hash"`
	CanonicalRequest       string      `json:"canonical_request"`
	CanonicalRequestSHA256 string      `json:"canonical_request_sha256"`
	Signature              string      `json:"signature"`
	Chunks                 []struct {
		Size      int    `json:"size"`
		Byte      string `json:"byte"`
		Signature string `json:"signature"`
	} `json:"chunks"`
}

func loadExamples(t *testing.T) []awsExample {
	t.Helper()
	raw, err := os.ReadFile("testdata/aws_examples.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		AccessKey string       `json:"access_key"`
		SecretKey string       `json:"secret_key"`
		Time      string       `json:"time"`
		Examples  []awsExample `json:"examples"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.AccessKey != exampleAccessKey || doc.SecretKey != exampleSecretKey || doc.Time != exampleTime.Format(amzDateLayout) {
		t.Fatalf("testdata credentials or time differ from the test constants")
	}
	return doc.Examples
}

// exampleBody is the payload of an example and, for chunked ones, its
// aws-chunked encoding with the published chunk signatures.
func exampleBody(ex awsExample) (payload, wire string) {
	if len(ex.Chunks) == 0 {
		return ex.Body, ex.Body
	}
	var p, w strings.Builder
	for _, c := range ex.Chunks {
		data := strings.Repeat(c.Byte, c.Size)
		p.WriteString(data)
		w.WriteString(strconv.FormatInt(int64(c.Size), 16) + ";chunk-signature=" + c.Signature + "\r\n" + data + "\r\n")
	}
	return p.String(), w.String()
}

func TestAWSExamples(t *testing.T) {
	for _, ex := range loadExamples(t) {
		t.Run(ex.Name, func(t *testing.T) {
			payload, wire := exampleBody(ex)
			target := ex.Path
			if ex.Query != "" {
				target += "?" + ex.Query
			}
			r := wireRequest(t, ex.Method, ex.Host, target, ex.Headers, wire)

			var c canonicalRequest
			got := string(c.build(r, ex.SignedHeaders, ex.PayloadHash, ex.Presigned))
			if got != ex.CanonicalRequest {
				t.Fatalf("canonical request:\n%s\nwant:\n%s", got, ex.CanonicalRequest)
			}
			if sum := sha256.Sum256([]byte(got)); hex.EncodeToString(sum[:]) != ex.CanonicalRequestSHA256 {
				t.Fatalf("canonical request hash %x", sum)
			}

			res, err := exampleVerifier(exampleTime).Verify(r)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if res.AccessKey != exampleAccessKey || res.Region != "us-east-1" || res.Presigned != ex.Presigned || res.Anonymous {
				t.Fatalf("result %+v", res)
			}
			body, err := readAll(t, res)
			if err != nil {
				t.Fatalf("read body: %v", err)
			}
			if !bytes.Equal(body, []byte(payload)) {
				t.Fatalf("body: got %d bytes, want %d", len(body), len(payload))
			}
			if res.ContentLength != int64(len(payload)) && !(len(payload) == 0 && res.ContentLength <= 0) {
				t.Fatalf("ContentLength %d, want %d", res.ContentLength, len(payload))
			}
		})
	}
}

// Flipping one hex digit of the published signature must fail, with the
// diagnostics that let a client compare canonical requests.
func TestAWSExamplesTampered(t *testing.T) {
	for _, ex := range loadExamples(t) {
		t.Run(ex.Name, func(t *testing.T) {
			bad := ex.Signature[:63] + map[bool]string{true: "0", false: "1"}[ex.Signature[63] != '0']
			target := ex.Path
			if ex.Query != "" {
				target += "?" + strings.Replace(ex.Query, ex.Signature, bad, 1)
			}
			headers := make([][2]string, len(ex.Headers))
			for i, h := range ex.Headers {
				headers[i] = [2]string{h[0], strings.Replace(h[1], ex.Signature, bad, 1)}
			}
			_, wire := exampleBody(ex)
			_, err := exampleVerifier(exampleTime).Verify(wireRequest(t, ex.Method, ex.Host, target, headers, wire))
			e := wantS3Error(t, err, s3.ErrSignatureDoesNotMatch,
				"AWSAccessKeyId", exampleAccessKey,
				"SignatureProvided", bad,
				"CanonicalRequest", ex.CanonicalRequest,
				"StringToSign", "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"+ex.CanonicalRequestSHA256)
			if v, _ := fieldValue(e, "StringToSignBytes"); !strings.HasPrefix(v, "41 57 53 34 2d 48 4d 41 43") {
				t.Fatalf("StringToSignBytes %q", v)
			}
		})
	}
}

// A bad signature on the second chunk of the published chunked example is
// reported by Body, not by Verify.
func TestAWSChunkedExampleBadChunk(t *testing.T) {
	for _, ex := range loadExamples(t) {
		if len(ex.Chunks) == 0 {
			continue
		}
		ex.Chunks[1].Signature = strings.Repeat("0", 64)
		_, wire := exampleBody(ex)
		res, err := exampleVerifier(exampleTime).Verify(wireRequest(t, ex.Method, ex.Host, ex.Path, ex.Headers, wire))
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		body, err := readAll(t, res)
		wantS3Error(t, err, s3.ErrSignatureDoesNotMatch, "SignatureProvided", ex.Chunks[1].Signature, "StringToSign", "*")
		if len(body) > 65536+1024 {
			t.Fatalf("read %d bytes", len(body))
		}
	}
}
