package s3test_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cairn-s3/cairn/internal/s3test"
	"github.com/cairn-s3/cairn/internal/server"
)

// The NetBackup MSDP profile (dialect=msdp) on an extra HTTPS listener,
// driven as MSDP's clients drive it: the stock AWS SDK, SigV4, path-style,
// over TLS with a certificate the client is told to trust. The main
// plain-HTTP listener of the same server stays S3.

// msdpMinPart is the server's minimum part size in these tests.
const msdpMinPart = 64 << 10

// msdpServer is a Cairn with an msdp listener.
type msdpServer struct {
	srv *s3test.Server
	// url is the msdp listener's endpoint, https://127.0.0.1:PORT.
	url string
	// http trusts the listener's self-signed certificate.
	http *http.Client
	// msdp and plain are root's SDK clients on the msdp listener and on
	// the main S3 listener.
	msdp, plain *s3.Client
}

func startMSDP(t *testing.T, opts ...s3test.Option) *msdpServer {
	t.Helper()
	certFile, keyFile, pool := msdpCertificate(t)
	addr := msdpFreeAddr(t)
	opts = append([]s3test.Option{s3test.WithConfig(func(c *server.Config) {
		c.MinPartSize = msdpMinPart
		c.Listeners = append(c.Listeners, server.Listener{Addr: addr, Dialect: "msdp", TLSCert: certFile, TLSKey: keyFile})
	})}, opts...)
	srv := s3test.Start(t, opts...)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	t.Cleanup(hc.CloseIdleConnections)
	msdpWaitTLS(t, addr, pool)
	m := &msdpServer{srv: srv, url: "https://" + addr, http: hc, plain: srv.AWS(t, s3test.Root)}
	m.msdp = m.client(t, s3test.Root)
	return m
}

// client is an SDK client on the msdp listener with the given keys.
func (m *msdpServer) client(t *testing.T, c s3test.Credentials) *s3.Client {
	return m.srv.AWS(t, c, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(m.url)
		o.HTTPClient = m.http
	})
}

// msdpCertificate writes a self-signed certificate for 127.0.0.1 and its
// key as PEM files, and returns a pool that trusts it.
func msdpCertificate(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	mustOK(t, err, "generate key")
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "cairn msdp test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	mustOK(t, err, "create certificate")
	cert, err := x509.ParseCertificate(der)
	mustOK(t, err, "parse certificate")
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	mustOK(t, err, "marshal key")
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	mustOK(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600), "write certificate")
	mustOK(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600), "write key")
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// msdpFreeAddr returns a loopback address with a port free a moment ago:
// the server opens extra listeners itself, by address.
func msdpFreeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	mustOK(t, err, "listen")
	addr := ln.Addr().String()
	mustOK(t, ln.Close(), "close listener")
	return addr
}

// msdpWaitTLS waits until the listener completes a TLS handshake: the
// server opens it in the background.
func msdpWaitTLS(t *testing.T, addr string, pool *x509.CertPool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: time.Second}, "tcp", addr, &tls.Config{RootCAs: pool})
		if err == nil {
			conn.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("msdp listener %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// bucket creates a bucket through the msdp listener.
func (m *msdpServer) bucket(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("msdp-%d-%s", bucketSeq.Add(1), randomHex(3))
	_, err := m.msdp.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(name)})
	mustOK(t, err, "CreateBucket "+name)
	return name
}

func msdpRandom(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// sha256ETag is the MSDP ETag of data, quoted as in headers and XML.
func sha256ETag(data ...[]byte) string {
	h := sha256.New()
	for _, d := range data {
		h.Write(d)
	}
	return `"` + hex.EncodeToString(h.Sum(nil)) + `"`
}

func md5ETag(data []byte) string {
	sum := md5.Sum(data)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func msdpWantETag(t *testing.T, what string, got *string, want string) {
	t.Helper()
	if aws.ToString(got) != want {
		t.Errorf("%s: ETag %s, want %s", what, aws.ToString(got), want)
	}
}

func msdpGet(t *testing.T, c *s3.Client, bucket, key string) ([]byte, *s3.GetObjectOutput) {
	t.Helper()
	out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	mustOK(t, err, fmt.Sprintf("GetObject %q", key))
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	mustOK(t, err, "read body")
	return b, out
}

// msdpUpload is a started multipart upload.
type msdpUpload struct {
	bucket, key, id string
}

func (m *msdpServer) createUpload(t *testing.T, c *s3.Client, bucket, key string) msdpUpload {
	t.Helper()
	out, err := c.CreateMultipartUpload(t.Context(), &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	mustOK(t, err, "CreateMultipartUpload")
	return msdpUpload{bucket, key, aws.ToString(out.UploadId)}
}

// uploadParts uploads the parts in parallel and returns them numbered 1..n.
func (u msdpUpload) uploadParts(t *testing.T, c *s3.Client, parts [][]byte) []types.CompletedPart {
	t.Helper()
	done := make([]types.CompletedPart, len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Go(func() {
			out, err := c.UploadPart(t.Context(), &s3.UploadPartInput{
				Bucket: aws.String(u.bucket), Key: aws.String(u.key), UploadId: aws.String(u.id),
				PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p),
			})
			if err != nil {
				errs[i] = err
				return
			}
			done[i] = types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag}
		})
	}
	wg.Wait()
	mustOK(t, errors.Join(errs...), "UploadPart")
	return done
}

func (u msdpUpload) complete(t *testing.T, c *s3.Client, parts []types.CompletedPart) (*s3.CompleteMultipartUploadOutput, error) {
	return c.CompleteMultipartUpload(t.Context(), &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(u.bucket), Key: aws.String(u.key), UploadId: aws.String(u.id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
}

// msdpRawResponse is a raw answer from the msdp listener.
type msdpRawResponse struct {
	status int
	header http.Header
	body   []byte
}

// raw sends a request signed with SigV4 (payload hashed) to the msdp
// listener, for checks of the exact XML the SDK would hide.
func (m *msdpServer) raw(t *testing.T, method, path, query string, body []byte) msdpRawResponse {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, m.url+path+"?"+query, bytes.NewReader(body))
	mustOK(t, err, "new request")
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	creds := aws.Credentials{AccessKeyID: s3test.Root.AccessKey, SecretAccessKey: s3test.Root.SecretKey}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	mustOK(t, signer.SignHTTP(t.Context(), creds, req, hash, "s3", "us-east-1", time.Now()), "sign")
	resp, err := m.http.Do(req)
	mustOK(t, err, method+" "+path)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	mustOK(t, err, "read body")
	return msdpRawResponse{resp.StatusCode, resp.Header, b}
}

// msdpErrorDoc is the error document with the fields MSDP's renamed
// errors carry.
type msdpErrorDoc struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	UploadID  string   `xml:"UploadId"`
	Resource  string   `xml:"Resource"`
	RequestID string   `xml:"RequestId"`
	HostID    string   `xml:"HostId"`
}

func TestMSDPDialect(t *testing.T) {
	m := startMSDP(t)

	t.Run("buckets", func(t *testing.T) {
		t.Parallel()
		c := m.msdp
		b := m.bucket(t)
		_, err := c.HeadBucket(t.Context(), &s3.HeadBucketInput{Bucket: aws.String(b)})
		mustOK(t, err, "HeadBucket")
		list, err := c.ListBuckets(t.Context(), &s3.ListBucketsInput{})
		mustOK(t, err, "ListBuckets")
		if !slices.ContainsFunc(list.Buckets, func(x types.Bucket) bool { return aws.ToString(x.Name) == b }) {
			t.Errorf("ListBuckets does not list %s", b)
		}
		_, err = c.DeleteBucket(t.Context(), &s3.DeleteBucketInput{Bucket: aws.String(b)})
		mustOK(t, err, "DeleteBucket")
		_, err = c.HeadBucket(t.Context(), &s3.HeadBucketInput{Bucket: aws.String(b)})
		wantAWSError(t, err, "", http.StatusNotFound)
	})

	t.Run("PutObject ETag is SHA-256", func(t *testing.T) {
		t.Parallel()
		c, b := m.msdp, m.bucket(t)
		// Inline (small) and blob-backed objects take different paths.
		for _, size := range []int{0, 1000, 300 << 10} {
			key := fmt.Sprintf("obj-%d", size)
			data := msdpRandom(size)
			want := sha256ETag(data)
			put, err := c.PutObject(t.Context(), &s3.PutObjectInput{
				Bucket: aws.String(b), Key: aws.String(key), Body: bytes.NewReader(data),
				ContentType: aws.String("application/x-test"),
				Metadata:    map[string]string{"origin": "netbackup", "size": fmt.Sprint(size)},
			})
			mustOK(t, err, "PutObject "+key)
			msdpWantETag(t, "PutObject "+key, put.ETag, want)
			head, err := c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
			mustOK(t, err, "HeadObject "+key)
			msdpWantETag(t, "HeadObject "+key, head.ETag, want)
			if head.Metadata["origin"] != "netbackup" || head.Metadata["size"] != fmt.Sprint(size) {
				t.Errorf("HeadObject %s: metadata %v", key, head.Metadata)
			}
			if aws.ToString(head.ContentType) != "application/x-test" {
				t.Errorf("HeadObject %s: Content-Type %q", key, aws.ToString(head.ContentType))
			}
			got, get := msdpGet(t, c, b, key)
			if !bytes.Equal(got, data) {
				t.Errorf("GetObject %s: body differs", key)
			}
			msdpWantETag(t, "GetObject "+key, get.ETag, want)
		}
		list, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(b)})
		mustOK(t, err, "ListObjectsV2")
		if len(list.Contents) != 3 {
			t.Fatalf("listed %d objects, want 3", len(list.Contents))
		}
		for _, o := range list.Contents {
			if len(aws.ToString(o.ETag)) != 66 {
				t.Errorf("listed %s with ETag %s, want a quoted SHA-256", aws.ToString(o.Key), aws.ToString(o.ETag))
			}
		}
		for _, key := range []string{"obj-0", "obj-1000", "obj-307200"} {
			_, err := c.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
			mustOK(t, err, "DeleteObject "+key)
		}
		_, err = c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("obj-0")})
		wantAWSError(t, err, "", http.StatusNotFound)
	})

	t.Run("PutObject with Content-MD5", func(t *testing.T) {
		// aws-sdk-go-v2 never compares a PutObject ETag with an MD5 (the
		// Java v1 and .NET SDKs do): the integrity check of a Content-MD5
		// upload is the server's, and it still holds in this profile.
		t.Parallel()
		c, b := m.msdp, m.bucket(t)
		data := msdpRandom(5000)
		sum := md5.Sum(data)
		put, err := c.PutObject(t.Context(), &s3.PutObjectInput{
			Bucket: aws.String(b), Key: aws.String("md5"), Body: bytes.NewReader(data),
			ContentMD5: aws.String(base64.StdEncoding.EncodeToString(sum[:])),
		})
		mustOK(t, err, "PutObject with Content-MD5")
		msdpWantETag(t, "PutObject with Content-MD5", put.ETag, sha256ETag(data))
		wrong := md5.Sum([]byte("something else"))
		_, err = c.PutObject(t.Context(), &s3.PutObjectInput{
			Bucket: aws.String(b), Key: aws.String("md5"), Body: bytes.NewReader(data),
			ContentMD5: aws.String(base64.StdEncoding.EncodeToString(wrong[:])),
		})
		wantAWSError(t, err, "BadDigest", http.StatusBadRequest)
	})

	t.Run("multipart", func(t *testing.T) {
		t.Parallel()
		c, b := m.msdp, m.bucket(t)
		parts := [][]byte{msdpRandom(msdpMinPart), msdpRandom(msdpMinPart + 7), msdpRandom(1000)}
		u := m.createUpload(t, c, b, "backups/image 1+~.img")
		done := u.uploadParts(t, c, parts)
		for i, p := range done {
			// The seed documents the object's ETag only; parts keep S3's.
			msdpWantETag(t, fmt.Sprintf("UploadPart %d", i+1), p.ETag, md5ETag(parts[i]))
		}
		lp, err := c.ListParts(t.Context(), &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String(u.key), UploadId: aws.String(u.id)})
		mustOK(t, err, "ListParts")
		if len(lp.Parts) != 3 || aws.ToInt64(lp.Parts[1].Size) != msdpMinPart+7 {
			t.Errorf("ListParts: %d parts, want 3 with part 2 of %d bytes", len(lp.Parts), msdpMinPart+7)
		}
		lu, err := c.ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: aws.String(b)})
		mustOK(t, err, "ListMultipartUploads")
		if len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].UploadId) != u.id || aws.ToString(lu.Uploads[0].Key) != u.key {
			t.Errorf("ListMultipartUploads: %+v", lu.Uploads)
		}
		out, err := u.complete(t, c, done)
		mustOK(t, err, "CompleteMultipartUpload")
		want := sha256ETag(parts...)
		msdpWantETag(t, "CompleteMultipartUpload", out.ETag, want)
		if out.Location != nil {
			t.Errorf("Complete result has Location %q; MSDP's has none", aws.ToString(out.Location))
		}
		if aws.ToString(out.Bucket) != b || aws.ToString(out.Key) != u.key {
			t.Errorf("Complete result names %s/%s, want %s/%s", aws.ToString(out.Bucket), aws.ToString(out.Key), b, u.key)
		}
		got, get := msdpGet(t, c, b, u.key)
		if !bytes.Equal(got, bytes.Join(parts, nil)) {
			t.Errorf("GetObject: body differs")
		}
		msdpWantETag(t, "GetObject", get.ETag, want)
		// A retried Complete replays the same result.
		again, err := u.complete(t, c, done)
		mustOK(t, err, "retried CompleteMultipartUpload")
		msdpWantETag(t, "retried CompleteMultipartUpload", again.ETag, want)
	})

	t.Run("Complete document", func(t *testing.T) {
		t.Parallel()
		c, b := m.msdp, m.bucket(t)
		data := msdpRandom(2000)
		u := m.createUpload(t, c, b, "doc")
		done := u.uploadParts(t, c, [][]byte{data})
		body := fmt.Sprintf(`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>%s</ETag><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>`, aws.ToString(done[0].ETag))
		r := m.raw(t, http.MethodPost, "/"+b+"/doc", "uploadId="+u.id, []byte(body))
		if r.status != http.StatusOK {
			t.Fatalf("Complete: status %d\n%s", r.status, r.body)
		}
		var res struct {
			XMLName  xml.Name
			Location *string `xml:"Location"`
			Bucket   string  `xml:"Bucket"`
			Key      string  `xml:"Key"`
			ETag     string  `xml:"ETag"`
		}
		if err := xml.Unmarshal(r.body, &res); err != nil {
			t.Fatalf("decode Complete result: %v\n%s", err, r.body)
		}
		if res.XMLName.Local != "CompleteMultipartUploadResult" || res.Location != nil ||
			res.Bucket != b || res.Key != "doc" || res.ETag != sha256ETag(data) {
			t.Errorf("Complete result %+v, want Bucket, Key and ETag %s only\n%s", res, sha256ETag(data), r.body)
		}
		if strings.Contains(string(r.body), "Checksum") {
			t.Errorf("Complete result carries checksums:\n%s", r.body)
		}
	})

	t.Run("abort", func(t *testing.T) {
		t.Parallel()
		c, b := m.msdp, m.bucket(t)
		u := m.createUpload(t, c, b, "aborted")
		u.uploadParts(t, c, [][]byte{msdpRandom(100)})
		_, err := c.AbortMultipartUpload(t.Context(), &s3.AbortMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(u.key), UploadId: aws.String(u.id)})
		mustOK(t, err, "AbortMultipartUpload")
		_, err = c.ListParts(t.Context(), &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String(u.key), UploadId: aws.String(u.id)})
		wantAWSError(t, err, "ErrNoSuchUpload", http.StatusBadRequest)
	})

	t.Run("renamed errors", func(t *testing.T) {
		t.Parallel()
		c, b := m.msdp, m.bucket(t)
		bogus := msdpUpload{b, "k", "bm9zdWNodXBsb2Fk"}
		ctx := t.Context()
		cases := []struct {
			name string
			call func() error
			code string
		}{
			{"UploadPart to no upload", func() error {
				_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("k"), UploadId: aws.String(bogus.id), PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
				return err
			}, "ErrNoSuchUpload"},
			{"ListParts of no upload", func() error {
				_, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String("k"), UploadId: aws.String(bogus.id)})
				return err
			}, "ErrNoSuchUpload"},
			{"Abort of no upload", func() error {
				_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("k"), UploadId: aws.String(bogus.id)})
				return err
			}, "ErrNoSuchUpload"},
			{"Complete of no upload", func() error {
				_, err := bogus.complete(t, c, []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(md5ETag(nil))}})
				return err
			}, "ErrNoSuchUpload"},
			{"Complete with a wrong part ETag", func() error {
				u := m.createUpload(t, c, b, "invalid-part")
				u.uploadParts(t, c, [][]byte{msdpRandom(10)})
				_, err := u.complete(t, c, []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(md5ETag([]byte("other")))}})
				return err
			}, "ErrInvalidPart"},
			{"Complete with a missing part", func() error {
				u := m.createUpload(t, c, b, "missing-part")
				done := u.uploadParts(t, c, [][]byte{msdpRandom(msdpMinPart)})
				done = append(done, types.CompletedPart{PartNumber: aws.Int32(2), ETag: aws.String(md5ETag(nil))})
				_, err := u.complete(t, c, done)
				return err
			}, "ErrInvalidPart"},
			{"Complete with a small part", func() error {
				u := m.createUpload(t, c, b, "too-small")
				done := u.uploadParts(t, c, [][]byte{msdpRandom(msdpMinPart - 1), msdpRandom(10)})
				_, err := u.complete(t, c, done)
				return err
			}, "ErrEntityTooSmall"},
		}
		for _, tc := range cases {
			err := tc.call()
			wantAWSError(t, err, tc.code, http.StatusBadRequest)
			// The SDK's typed errors match S3's names (it models NoSuchUpload
			// for Abort), so these stay generic API errors, as against MSDP.
			var nsu *types.NoSuchUpload
			if errors.As(err, &nsu) {
				t.Errorf("%s: the SDK took %s for S3's NoSuchUpload", tc.name, tc.code)
			}
		}

		// The document is S3's, with MSDP's code, S3's message and fields.
		r := m.raw(t, http.MethodPut, "/"+b+"/k", "partNumber=1&uploadId="+bogus.id, []byte("x"))
		var doc msdpErrorDoc
		if err := xml.Unmarshal(r.body, &doc); err != nil {
			t.Fatalf("decode error document: %v\n%s", err, r.body)
		}
		want := msdpErrorDoc{
			XMLName: xml.Name{Local: "Error"}, Code: "ErrNoSuchUpload",
			Message:  "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
			UploadID: bogus.id, Resource: "/" + b + "/k", RequestID: r.header.Get("X-Amz-Request-Id"), HostID: doc.HostID,
		}
		if r.status != http.StatusBadRequest || doc != want || doc.HostID == "" {
			t.Errorf("UploadPart to no upload: %d %+v, want 400 %+v", r.status, doc, want)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/xml" {
			t.Errorf("error Content-Type %q", ct)
		}
	})

	t.Run("other errors keep S3's codes", func(t *testing.T) {
		t.Parallel()
		c, b := m.msdp, m.bucket(t)
		_, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("missing")})
		wantAWSError(t, err, "NoSuchKey", http.StatusNotFound)
		var nsk *types.NoSuchKey
		if !errors.As(err, &nsk) {
			t.Errorf("GetObject of a missing key: %v is not the SDK's NoSuchKey", err)
		}
		_, err = c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("missing")})
		wantAWSError(t, err, "", http.StatusNotFound)
		_, err = c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(b + "-none"), Key: aws.String("k")})
		wantAWSError(t, err, "NoSuchBucket", http.StatusNotFound)

		u := m.createUpload(t, c, b, "order")
		done := u.uploadParts(t, c, [][]byte{msdpRandom(msdpMinPart), msdpRandom(10)})
		_, err = u.complete(t, c, []types.CompletedPart{done[1], done[0]})
		wantAWSError(t, err, "InvalidPartOrder", http.StatusBadRequest)

		wrong := m.client(t, s3test.Credentials{AccessKey: s3test.Root.AccessKey, SecretKey: "not-the-secret-key-of-root-at-all-00000"})
		_, err = wrong.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(b)})
		wantAWSError(t, err, "SignatureDoesNotMatch", http.StatusForbidden)
		unknown := m.client(t, s3test.Credentials{AccessKey: "MSDPUNKNOWNKEY0000001", SecretKey: "whatever-secret"})
		_, err = unknown.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(b)})
		wantAWSError(t, err, "InvalidAccessKeyId", http.StatusForbidden)
	})

	t.Run("upload and download managers", func(t *testing.T) {
		t.Parallel()
		c, b := m.msdp, m.bucket(t)
		data := msdpRandom(int(manager.MinUploadPartSize) + 1000)
		up := manager.NewUploader(c, func(u *manager.Uploader) {
			u.PartSize = manager.MinUploadPartSize
			u.Concurrency = 3
		})
		out, err := up.Upload(t.Context(), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("big"), Body: bytes.NewReader(data)})
		mustOK(t, err, "manager Upload")
		if out.UploadID == "" {
			t.Errorf("manager Upload did not use multipart")
		}
		msdpWantETag(t, "manager Upload", out.ETag, sha256ETag(data))
		if got, _ := msdpGet(t, c, b, "big"); !bytes.Equal(got, data) {
			t.Errorf("GetObject after manager Upload: body differs")
		}

		// The downloader pins its ranged GETs with If-Match on the ETag.
		// (Small parts: the downloader is slow under -race.)
		small := msdpRandom(300 << 10)
		_, err = c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("ranged"), Body: bytes.NewReader(small)})
		mustOK(t, err, "PutObject")
		buf := manager.NewWriteAtBuffer(nil)
		n, err := manager.NewDownloader(c, func(d *manager.Downloader) {
			d.PartSize = 100 << 10
			d.Concurrency = 3
		}).Download(t.Context(), buf, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("ranged")})
		mustOK(t, err, "manager Download")
		if n != int64(len(small)) || !bytes.Equal(buf.Bytes(), small) {
			t.Errorf("manager Download: %d bytes, want %d, equal %v", n, len(small), bytes.Equal(buf.Bytes(), small))
		}
		_, err = c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("ranged"), IfMatch: aws.String(md5ETag(small))})
		wantAWSError(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
	})

	t.Run("presigned GET", func(t *testing.T) {
		t.Parallel()
		c, b := m.msdp, m.bucket(t)
		data := msdpRandom(3000)
		_, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("shared file"), Body: bytes.NewReader(data)})
		mustOK(t, err, "PutObject")
		req, err := s3.NewPresignClient(c).PresignGetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("shared file")}, s3.WithPresignExpires(time.Hour))
		mustOK(t, err, "PresignGetObject")
		if !strings.HasPrefix(req.URL, m.url+"/"+b+"/") {
			t.Fatalf("presigned URL %s is not path-style on %s", req.URL, m.url)
		}
		resp, err := m.http.Get(req.URL)
		mustOK(t, err, "GET presigned")
		defer resp.Body.Close()
		got, err := io.ReadAll(resp.Body)
		mustOK(t, err, "read presigned body")
		if resp.StatusCode != http.StatusOK || !bytes.Equal(got, data) || resp.Header.Get("ETag") != sha256ETag(data) {
			t.Errorf("presigned GET: %d, ETag %s, body equal %v", resp.StatusCode, resp.Header.Get("ETag"), bytes.Equal(got, data))
		}
	})

	t.Run("keys", func(t *testing.T) {
		// Keys are not held to MSDP's UNIX path rules: leading, trailing and
		// doubled slashes, "." and ".." are stored verbatim (see
		// docs/dialects/msdp.md).
		t.Parallel()
		c, b := m.msdp, m.bucket(t)
		keys := []string{"dir/a b+c%.txt", "tilde~/x", "żółw/日本語.bin", "dir/sub/", "/leading", "a//b", "a/./b/../c"}
		for _, key := range keys {
			data := []byte("data of " + key)
			put, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key), Body: bytes.NewReader(data)})
			mustOK(t, err, fmt.Sprintf("PutObject %q", key))
			msdpWantETag(t, fmt.Sprintf("PutObject %q", key), put.ETag, sha256ETag(data))
			if got, _ := msdpGet(t, c, b, key); !bytes.Equal(got, data) {
				t.Errorf("GetObject %q: %q", key, got)
			}
		}
		list, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(b)})
		mustOK(t, err, "ListObjectsV2")
		var listed []string
		for _, o := range list.Contents {
			listed = append(listed, aws.ToString(o.Key))
		}
		want := slices.Clone(keys)
		slices.Sort(want)
		if !slices.Equal(listed, want) {
			t.Errorf("listed %q, want %q", listed, want)
		}
	})

	t.Run("list with prefix and delimiter", func(t *testing.T) {
		t.Parallel()
		c, b := m.msdp, m.bucket(t)
		for _, key := range []string{"img/2024/a", "img/2024/b", "img/2025/c", "img/readme", "other"} {
			_, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key), Body: strings.NewReader(key)})
			mustOK(t, err, "PutObject "+key)
		}
		out, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String("img/"), Delimiter: aws.String("/")})
		mustOK(t, err, "ListObjectsV2")
		var prefixes []string
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
		}
		if !slices.Equal(prefixes, []string{"img/2024/", "img/2025/"}) {
			t.Errorf("common prefixes %q", prefixes)
		}
		if len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "img/readme" || aws.ToString(out.Contents[0].ETag) != sha256ETag([]byte("img/readme")) {
			t.Errorf("contents %+v, want img/readme with its SHA-256 ETag", out.Contents)
		}
	})

	t.Run("S3 listener unaffected", func(t *testing.T) {
		t.Parallel()
		c, b := m.plain, m.bucket(t)
		data := msdpRandom(4000)
		put, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("s3"), Body: bytes.NewReader(data)})
		mustOK(t, err, "PutObject")
		msdpWantETag(t, "PutObject on the S3 listener", put.ETag, md5ETag(data))

		parts := [][]byte{msdpRandom(msdpMinPart), msdpRandom(100)}
		u := m.createUpload(t, c, b, "s3-mp")
		out, err := u.complete(t, c, u.uploadParts(t, c, parts))
		mustOK(t, err, "CompleteMultipartUpload")
		p1, p2 := md5.Sum(parts[0]), md5.Sum(parts[1])
		whole := md5.Sum(append(p1[:], p2[:]...))
		msdpWantETag(t, "Complete on the S3 listener", out.ETag, `"`+hex.EncodeToString(whole[:])+`-2"`)
		if aws.ToString(out.Location) == "" {
			t.Errorf("Complete on the S3 listener has no Location")
		}

		_, err = msdpUpload{b, "k", "bm9zdWNodXBsb2Fk"}.complete(t, c, []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(md5ETag(nil))}})
		wantAWSError(t, err, "NoSuchUpload", http.StatusNotFound)
		// Abort is the operation the SDK models NoSuchUpload for.
		_, err = c.AbortMultipartUpload(t.Context(), &s3.AbortMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("k"), UploadId: aws.String("bm9zdWNodXBsb2Fk")})
		wantAWSError(t, err, "NoSuchUpload", http.StatusNotFound)
		var nsu *types.NoSuchUpload
		if !errors.As(err, &nsu) {
			t.Errorf("NoSuchUpload on the S3 listener is not the SDK's typed error: %v", err)
		}
		small := m.createUpload(t, c, b, "small")
		_, err = small.complete(t, c, small.uploadParts(t, c, [][]byte{msdpRandom(10), msdpRandom(10)}))
		wantAWSError(t, err, "EntityTooSmall", http.StatusBadRequest)
		bad := m.createUpload(t, c, b, "bad")
		bad.uploadParts(t, c, [][]byte{msdpRandom(10)})
		_, err = bad.complete(t, c, []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(md5ETag(nil))}})
		wantAWSError(t, err, "InvalidPart", http.StatusBadRequest)

		// An object keeps the ETag it was written with, whichever listener
		// reads it.
		_, viaMSDP := msdpGet(t, m.msdp, b, "s3")
		msdpWantETag(t, "S3 object read through msdp", viaMSDP.ETag, md5ETag(data))
		mdata := msdpRandom(100)
		_, err = m.msdp.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("msdp"), Body: bytes.NewReader(mdata)})
		mustOK(t, err, "PutObject through msdp")
		_, viaS3 := msdpGet(t, c, b, "msdp")
		msdpWantETag(t, "msdp object read through S3", viaS3.ETag, sha256ETag(mdata))
	})
}

// TestMSDPDialectSlowComplete checks the ETag of a Complete that outlasts
// the keep-alive delay, whose answer is 200 + whitespace + result.
func TestMSDPDialectSlowComplete(t *testing.T) {
	m := startMSDP(t, s3test.WithConfig(func(c *server.Config) {
		c.CompleteKeepAliveDelay = time.Nanosecond
		c.CompleteKeepAliveInterval = time.Millisecond
	}))
	c, b := m.msdp, m.bucket(t)
	parts := [][]byte{msdpRandom(msdpMinPart), msdpRandom(msdpMinPart), msdpRandom(5)}
	u := m.createUpload(t, c, b, "slow")
	out, err := u.complete(t, c, u.uploadParts(t, c, parts))
	mustOK(t, err, "CompleteMultipartUpload")
	msdpWantETag(t, "kept-alive Complete", out.ETag, sha256ETag(parts...))
}
