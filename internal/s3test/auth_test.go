package s3test_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/cairn-s3/cairn/internal/s3test"
)

// skewedSigner signs with a clock that is off by skew.
type skewedSigner struct {
	inner *v4.Signer
	skew  time.Duration
}

func (s skewedSigner) SignHTTP(ctx context.Context, c aws.Credentials, r *http.Request, payloadHash, service, region string, at time.Time, optFns ...func(*v4.SignerOptions)) error {
	return s.inner.SignHTTP(ctx, c, r, payloadHash, service, region, at.Add(s.skew), optFns...)
}

func withSkew(skew time.Duration) s3test.AWSOption {
	return func(o *s3.Options) {
		o.HTTPSignerV4 = skewedSigner{inner: v4.NewSigner(func(so *v4.SignerOptions) { so.DisableURIPathEscaping = true }), skew: skew}
	}
}

// sendPresigned sends a presigned request as a browser or curl would.
func sendPresigned(t *testing.T, method, u string, signed http.Header, body []byte) rawResponse {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	mustOK(t, err, "new request")
	req.ContentLength = int64(len(body))
	if len(body) == 0 {
		req.Body = http.NoBody
	}
	for k, vs := range signed {
		if strings.EqualFold(k, "Host") {
			continue
		}
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	mustOK(t, err, method+" presigned")
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	mustOK(t, err, "read body")
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: b}
}

// presignRaw presigns a request with the SDK's signer at a chosen time and
// expiry (which the SDK presigner would refuse or not let us set).
func (f *fixture) presignRaw(t *testing.T, method, path string, at time.Time, expires string) string {
	t.Helper()
	// Not Opaque: the presigned URL is rendered with URL.String.
	req, err := http.NewRequest(method, f.srv.URL+path+"?X-Amz-Expires="+expires, nil)
	mustOK(t, err, "new request")
	creds := aws.Credentials{AccessKeyID: s3test.Root.AccessKey, SecretAccessKey: s3test.Root.SecretKey}
	u, _, err := f.raw.signer.PresignHTTP(bg, creds, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", at)
	mustOK(t, err, "PresignHTTP")
	return u
}

func TestPresigned(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	data := []byte("presigned payload")
	key := "pre signed/ö+key"

	t.Run("AWSPresigner", func(t *testing.T) {
		t.Parallel()
		pc := s3.NewPresignClient(f.aws)
		put, err := pc.PresignPutObject(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key + "-aws"), ContentType: aws.String("text/plain")}, s3.WithPresignExpires(10*time.Minute))
		mustOK(t, err, "PresignPutObject")
		sendPresigned(t, put.Method, put.URL, put.SignedHeader, data).wantStatus(t, http.StatusOK)
		get, err := pc.PresignGetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key + "-aws")}, s3.WithPresignExpires(time.Hour))
		mustOK(t, err, "PresignGetObject")
		resp := sendPresigned(t, get.Method, get.URL, get.SignedHeader, nil)
		resp.wantStatus(t, http.StatusOK)
		if !bytes.Equal(resp.body, data) || resp.header.Get("Content-Type") != "text/plain" {
			t.Errorf("presigned GET: %q %v", resp.body, resp.header)
		}
		head, err := pc.PresignHeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key + "-aws")})
		mustOK(t, err, "PresignHeadObject")
		sendPresigned(t, head.Method, head.URL, head.SignedHeader, nil).wantStatus(t, http.StatusOK)
		// A presigned URL is bound to its method and path.
		sendPresigned(t, http.MethodDelete, get.URL, get.SignedHeader, nil).wantError(t, "SignatureDoesNotMatch", http.StatusForbidden)
		other := strings.Replace(get.URL, "-aws?", "-xyz?", 1)
		sendPresigned(t, http.MethodGet, other, get.SignedHeader, nil).wantError(t, "SignatureDoesNotMatch", http.StatusForbidden)
	})

	t.Run("MinioPresigner", func(t *testing.T) {
		t.Parallel()
		u, err := f.minio.PresignedPutObject(bg, b, key+"-minio", time.Hour)
		mustOK(t, err, "PresignedPutObject")
		sendPresigned(t, http.MethodPut, u.String(), nil, data).wantStatus(t, http.StatusOK)
		u, err = f.minio.PresignedGetObject(bg, b, key+"-minio", 7*24*time.Hour, url.Values{"response-content-disposition": {"attachment"}})
		mustOK(t, err, "PresignedGetObject")
		resp := sendPresigned(t, http.MethodGet, u.String(), nil, nil)
		resp.wantStatus(t, http.StatusOK)
		if !bytes.Equal(resp.body, data) || resp.header.Get("Content-Disposition") != "attachment" {
			t.Errorf("minio presigned GET: %q %v", resp.body, resp.header)
		}
		u, err = f.minio.PresignedHeadObject(bg, b, key+"-minio", time.Minute, nil)
		mustOK(t, err, "PresignedHeadObject")
		sendPresigned(t, http.MethodHead, u.String(), nil, nil).wantStatus(t, http.StatusOK)
	})

	t.Run("Expired", func(t *testing.T) {
		t.Parallel()
		f.put(t, b, "exp", data)
		u := f.presignRaw(t, http.MethodGet, objectPath(b, "exp"), time.Now().Add(-2*time.Hour), "3600")
		d := sendPresigned(t, http.MethodGet, u, nil, nil).wantError(t, "AccessDenied", http.StatusForbidden)
		if d.Message != "Request has expired" || d.Expires == "" || d.ServerTime == "" {
			t.Errorf("expired: %+v", d)
		}
		// Still valid a minute before expiry.
		u = f.presignRaw(t, http.MethodGet, objectPath(b, "exp"), time.Now().Add(-time.Hour+time.Minute), "3600")
		sendPresigned(t, http.MethodGet, u, nil, nil).wantStatus(t, http.StatusOK)
	})

	t.Run("ExpiresLimits", func(t *testing.T) {
		t.Parallel()
		f.put(t, b, "week", data)
		u := f.presignRaw(t, http.MethodGet, objectPath(b, "week"), time.Now(), "604800")
		sendPresigned(t, http.MethodGet, u, nil, nil).wantStatus(t, http.StatusOK)
		for _, exp := range []string{"604801", "0", "-5", "soon"} {
			u := f.presignRaw(t, http.MethodGet, objectPath(b, "week"), time.Now(), exp)
			sendPresigned(t, http.MethodGet, u, nil, nil).wantError(t, "AuthorizationQueryParametersError", http.StatusBadRequest)
		}
		// minio-go refuses more than a week itself; the AWS presigner does not.
		pc := s3.NewPresignClient(f.aws)
		req, err := pc.PresignGetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("week")}, s3.WithPresignExpires(8*24*time.Hour))
		mustOK(t, err, "PresignGetObject")
		sendPresigned(t, req.Method, req.URL, req.SignedHeader, nil).wantError(t, "AuthorizationQueryParametersError", http.StatusBadRequest)
	})

	t.Run("Tampered", func(t *testing.T) {
		t.Parallel()
		f.put(t, b, "tamper", data)
		u := f.presignRaw(t, http.MethodGet, objectPath(b, "tamper"), time.Now(), "600")
		pu, err := url.Parse(u)
		mustOK(t, err, "parse")
		q := pu.Query()
		sig := q.Get("X-Amz-Signature")
		flip := "0"
		if sig[0] == '0' {
			flip = "1"
		}
		q.Set("X-Amz-Signature", flip+sig[1:])
		pu.RawQuery = q.Encode()
		d := sendPresigned(t, http.MethodGet, pu.String(), nil, nil).wantError(t, "SignatureDoesNotMatch", http.StatusForbidden)
		if d.StringToSign == "" || d.CanonicalRequest == "" || d.AWSAccessKeyID != s3test.Root.AccessKey {
			t.Errorf("SignatureDoesNotMatch diagnostics %+v", d)
		}
		// Adding a parameter after signing breaks it too.
		sendPresigned(t, http.MethodGet, u+"&response-content-type=x", nil, nil).wantError(t, "SignatureDoesNotMatch", http.StatusForbidden)
		// Missing parameters.
		q = pu.Query()
		q.Del("X-Amz-Date")
		pu.RawQuery = q.Encode()
		sendPresigned(t, http.MethodGet, pu.String(), nil, nil).wantError(t, "AuthorizationQueryParametersError", http.StatusBadRequest)
		// Presigned and header authentication at once.
		resp := f.raw.do(t, rawRequest{method: http.MethodGet, path: objectPath(b, "tamper"), query: "X-Amz-Algorithm=AWS4-HMAC-SHA256"})
		resp.wantError(t, "InvalidArgument", http.StatusBadRequest)
	})

	t.Run("UnknownKey", func(t *testing.T) {
		t.Parallel()
		stranger := newRawClient(f.srv, s3test.Credentials{AccessKey: "AKIDUNKNOWN000000000", SecretKey: "whatever"})
		req, err := http.NewRequest(http.MethodGet, f.srv.URL+objectPath(b, "tamper")+"?X-Amz-Expires=60", nil)
		mustOK(t, err, "new request")
		u, _, err := stranger.signer.PresignHTTP(bg, aws.Credentials{AccessKeyID: "AKIDUNKNOWN000000000", SecretAccessKey: "x"}, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now())
		mustOK(t, err, "PresignHTTP")
		d := sendPresigned(t, http.MethodGet, u, nil, nil).wantError(t, "InvalidAccessKeyId", http.StatusForbidden)
		if d.AWSAccessKeyID != "AKIDUNKNOWN000000000" {
			t.Errorf("AWSAccessKeyId %q", d.AWSAccessKeyID)
		}
	})
}

func TestAuthErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	f.put(t, b, "obj", []byte("x"))

	t.Run("WrongSecret", func(t *testing.T) {
		t.Parallel()
		bad := s3test.Credentials{AccessKey: s3test.Root.AccessKey, SecretKey: "not-the-secret"}
		_, err := f.srv.AWS(t, bad).GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("obj")})
		wantAWSError(t, err, "SignatureDoesNotMatch", http.StatusForbidden)
		_, err = f.srv.AWS(t, bad).PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("w"), Body: strings.NewReader("x")})
		wantAWSError(t, err, "SignatureDoesNotMatch", http.StatusForbidden)
		_, err = f.srv.Minio(t, bad).ListBuckets(bg)
		wantMinioError(t, err, "SignatureDoesNotMatch", http.StatusForbidden)
		_, err = f.srv.Minio(t, bad).PutObject(bg, b, "w", strings.NewReader("streamed"), 8, minio.PutObjectOptions{})
		wantMinioError(t, err, "SignatureDoesNotMatch", http.StatusForbidden)
		d := f.raw.as(bad).do(t, rawRequest{method: http.MethodGet, path: "/"}).wantError(t, "SignatureDoesNotMatch", http.StatusForbidden)
		if !strings.HasPrefix(d.StringToSign, "AWS4-HMAC-SHA256\n") || !strings.HasPrefix(d.CanonicalRequest, "GET\n/\n") {
			t.Errorf("diagnostics %+v", d)
		}
	})

	t.Run("UnknownAccessKey", func(t *testing.T) {
		t.Parallel()
		ghost := s3test.Credentials{AccessKey: "AKIDGHOST00000000000", SecretKey: "ghost-secret"}
		_, err := f.srv.AWS(t, ghost).ListBuckets(bg, &s3.ListBucketsInput{})
		wantAWSError(t, err, "InvalidAccessKeyId", http.StatusForbidden)
		_, err = f.srv.Minio(t, ghost).ListBuckets(bg)
		wantMinioError(t, err, "InvalidAccessKeyId", http.StatusForbidden)
		d := f.raw.as(ghost).do(t, rawRequest{method: http.MethodGet, path: objectPath(b, "obj")}).wantError(t, "InvalidAccessKeyId", http.StatusForbidden)
		if d.AWSAccessKeyID != ghost.AccessKey {
			t.Errorf("AWSAccessKeyId %q", d.AWSAccessKeyID)
		}
	})

	t.Run("Anonymous", func(t *testing.T) {
		t.Parallel()
		for _, rr := range []rawRequest{
			{method: http.MethodGet, path: "/"},
			{method: http.MethodGet, path: "/" + b},
			{method: http.MethodGet, path: objectPath(b, "obj")},
			{method: http.MethodPut, path: objectPath(b, "anon"), body: []byte("x")},
			{method: http.MethodPut, path: "/anon-bucket-" + randomHex(3)},
			{method: http.MethodDelete, path: objectPath(b, "obj")},
		} {
			rr.anonymous = true
			f.raw.do(t, rr).wantError(t, "AccessDenied", http.StatusForbidden)
		}
		anon, err := minio.New(f.srv.Addr, &minio.Options{Creds: miniocreds.NewStaticV4("", "", ""), Region: "us-east-1"})
		mustOK(t, err, "anonymous minio client")
		_, err = anon.PutObject(bg, b, "anon", strings.NewReader("x"), 1, minio.PutObjectOptions{})
		wantMinioError(t, err, "AccessDenied", http.StatusForbidden)
		if !f.exists(t, b, "obj") || f.exists(t, b, "anon") {
			t.Error("anonymous requests changed the bucket")
		}
	})

	t.Run("ClockSkew", func(t *testing.T) {
		t.Parallel()
		for _, skew := range []time.Duration{20 * time.Minute, -20 * time.Minute} {
			_, err := f.srv.AWS(t, s3test.Root, withSkew(skew)).HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String(b)})
			wantAWSError(t, err, "", http.StatusForbidden)
			_, err = f.srv.AWS(t, s3test.Root, withSkew(skew)).ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String(b)})
			wantAWSError(t, err, "RequestTimeTooSkewed", http.StatusForbidden)
			d := f.raw.do(t, rawRequest{method: http.MethodGet, path: "/" + b, signTime: time.Now().Add(skew)}).wantError(t, "RequestTimeTooSkewed", http.StatusForbidden)
			if d.MaxAllowedSkew != "900000" || d.RequestTime == "" || d.ServerTime == "" {
				t.Errorf("skew fields %+v", d)
			}
		}
		_, err := f.srv.AWS(t, s3test.Root, withSkew(14*time.Minute)).ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String(b)})
		mustOK(t, err, "14 minutes of skew")
		// A presigned URL from the future.
		u := f.presignRaw(t, http.MethodGet, objectPath(b, "obj"), time.Now().Add(time.Hour), "600")
		sendPresigned(t, http.MethodGet, u, nil, nil).wantError(t, "AccessDenied", http.StatusForbidden)
	})

	t.Run("UnsignedAmzHeader", func(t *testing.T) {
		t.Parallel()
		req := f.raw.build(t, rawRequest{method: http.MethodPut, path: objectPath(b, "smuggle"), body: []byte("x")})
		f.raw.sign(t, req, rawRequest{body: []byte("x")})
		req.Header.Set("X-Amz-Tagging", "smuggled=1")
		d := f.raw.send(t, req).wantError(t, "AccessDenied", http.StatusForbidden)
		if d.HeadersNotSigned != "x-amz-tagging" {
			t.Errorf("HeadersNotSigned %q", d.HeadersNotSigned)
		}
		// Changing a signed header breaks the signature.
		req = f.raw.build(t, rawRequest{method: http.MethodPut, path: objectPath(b, "smuggle"), body: []byte("x"), header: hdr("X-Amz-Meta-A", "1")})
		f.raw.sign(t, req, rawRequest{body: []byte("x")})
		req.Header.Set("X-Amz-Meta-A", "2")
		f.raw.send(t, req).wantError(t, "SignatureDoesNotMatch", http.StatusForbidden)
	})

	t.Run("MalformedAuthorization", func(t *testing.T) {
		t.Parallel()
		for _, authz := range []string{
			"AWS4-HMAC-SHA256",
			"AWS4-HMAC-SHA256 Credential=x",
			"AWS4-HMAC-SHA256 Credential=" + s3test.Root.AccessKey + "/20200101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=zz",
			"Bearer abc",
		} {
			req := f.raw.build(t, rawRequest{method: http.MethodGet, path: "/"})
			req.Header.Set("Authorization", authz)
			req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
			req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
			resp := f.raw.send(t, req)
			if resp.status < 400 || resp.status >= 500 {
				t.Errorf("%q: status %d", authz, resp.status)
			}
			resp.errorDoc(t)
		}
	})
}
