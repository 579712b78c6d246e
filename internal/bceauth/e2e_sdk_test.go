package bceauth

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/baidubce/bce-sdk-go/bce"
	"github.com/baidubce/bce-sdk-go/services/bos"
	"github.com/baidubce/bce-sdk-go/services/bos/api"

	"github.com/cairn-s3/cairn/internal/s3"
)

// fakeBOS is the smallest BOS server the SDK calls below accept: it verifies
// every request and answers with canned bodies, rendering a verification
// failure as BOS does (JSON, code from FieldBceCode).
type fakeBOS struct {
	t        *testing.T
	verifier *Verifier
	mu       sync.Mutex
	verified []string // "METHOD path" per verified request
	failures []error
}

func (f *fakeBOS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	if !Is(r) {
		f.fail(w, errors.New("Is reports no bce-auth-v1 signature"))
		return
	}
	if _, err := f.verifier.Verify(r); err != nil {
		f.fail(w, err)
		return
	}
	f.mu.Lock()
	f.verified = append(f.verified, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	q := r.URL.Query()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	reply := func(v any) { _ = json.NewEncoder(w).Encode(v) }
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/":
		reply(map[string]any{"owner": map[string]string{"id": "o", "displayName": "o"}, "buckets": []any{}})
	case r.Method == http.MethodGet && strings.Count(r.URL.Path, "/") == 1:
		reply(map[string]any{"name": "bkt", "maxKeys": 1000, "isTruncated": false, "contents": []any{}})
	case r.Method == http.MethodPost && q.Has("uploads"):
		reply(map[string]string{"bucket": "bkt", "key": "k", "uploadId": "upload+1/="})
	case r.Method == http.MethodPost && q.Has("uploadId"):
		reply(map[string]string{"location": "/bkt/k", "bucket": "bkt", "key": "k", "eTag": "etag-all"})
	case r.Method == http.MethodPut:
		w.Header().Set("ETag", `"etag"`)
	case r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "hello")
	case r.Method == http.MethodHead:
		w.Header().Set("Content-Length", "5")
		w.Header().Set("ETag", `"etag"`)
	case r.Method == http.MethodDelete:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (f *fakeBOS) fail(w http.ResponseWriter, err error) {
	f.mu.Lock()
	f.failures = append(f.failures, err)
	f.mu.Unlock()
	e, ok := s3.AsError(err)
	if !ok {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	code, _ := fieldValue(e, FieldBceCode)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(e.Status())
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code, "message": e.Text(), "requestId": "r1"})
}

func startFakeBOS(t *testing.T, creds staticCredentials) (*fakeBOS, string) {
	f := &fakeBOS{t: t, verifier: &Verifier{Credentials: creds}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func newSDKClient(t *testing.T, ak, sk, endpoint string) *bos.Client {
	c, err := bos.NewClient(ak, sk, endpoint)
	if err != nil {
		t.Fatal(err)
	}
	c.Config.Retry = bce.NewNoRetryPolicy() // the SDK retries 403; fail fast
	return c
}

// The real SDK client, over a real connection, for the calls Cairn's BOS
// dialect serves: bucket, object and multipart operations and a presigned GET.
func TestSDKClientEndToEnd(t *testing.T) {
	cred := oracleCreds[1]
	f, endpoint := startFakeBOS(t, staticCredentials{cred.accessKey: cred.secretKey})
	c := newSDKClient(t, cred.accessKey, cred.secretKey, endpoint)
	const key = "dir/a b+c%.txt"
	steps := []struct {
		name string
		call func() error
	}{
		{"ListBuckets", func() error { _, err := c.ListBuckets(); return err }},
		{"PutBucket", func() error { _, err := c.PutBucket("bkt"); return err }},
		{"HeadBucket", func() error { return c.HeadBucket("bkt") }},
		{"ListObjects", func() error {
			_, err := c.ListObjects("bkt", &api.ListObjectsArgs{Prefix: "dir/a b", Delimiter: "/", Marker: "~m+1", MaxKeys: 10})
			return err
		}},
		{"PutObject", func() error {
			_, err := c.PutObjectFromString("bkt", key, "hello", &api.PutObjectArgs{
				ContentType: "text/plain; charset=utf-8", UserMeta: map[string]string{"owner": "ключ", "spaced": " a  b "}, StorageClass: "STANDARD_IA",
			})
			return err
		}},
		{"PutObjectEmpty", func() error { _, err := c.PutObjectFromBytes("bkt", "empty", []byte{}, nil); return err }},
		{"GetObject", func() error {
			res, err := c.GetObject("bkt", key, map[string]string{"responseContentType": "text/html; x=1"}, 0, 3)
			if err == nil {
				res.Body.Close()
			}
			return err
		}},
		{"GetObjectMeta", func() error { _, err := c.GetObjectMeta("bkt", key); return err }},
		{"Initiate", func() error { _, err := c.BasicInitiateMultipartUpload("bkt", key); return err }},
		{"UploadPart", func() error {
			_, err := c.UploadPartFromBytes("bkt", key, "upload+1/=", 1, []byte("part one"), nil)
			return err
		}},
		{"Complete", func() error {
			_, err := c.CompleteMultipartUploadFromStruct("bkt", key, "upload+1/=", &api.CompleteMultipartUploadArgs{
				Parts: []api.UploadInfoType{{PartNumber: 1, ETag: "etag"}}, UserMeta: map[string]string{"owner": "bob"},
			})
			return err
		}},
		{"AbortMultipartUpload", func() error { return c.AbortMultipartUpload("bkt", key, "upload+1/=") }},
		{"DeleteObject", func() error { return c.DeleteObject("bkt", key) }},
		{"PresignedGet", func() error {
			resp, err := http.Get(c.BasicGeneratePresignedUrl("bkt", key, 60))
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return errors.New(resp.Status)
			}
			return nil
		}},
	}
	for _, s := range steps {
		if err := s.call(); err != nil {
			t.Errorf("%s: %v", s.name, err)
		}
	}
	if len(f.failures) > 0 {
		t.Fatalf("verification failures: %v", f.failures)
	}
	if len(f.verified) != len(steps) {
		t.Fatalf("verified %d requests for %d calls: %v", len(f.verified), len(steps), f.verified)
	}
}

// A wrong secret reaches the SDK as BOS's SignatureDoesNotMatch, and an
// unknown key as InvalidAccessKeyId, through FieldBceCode.
func TestSDKClientRejected(t *testing.T) {
	cred := oracleCreds[0]
	_, endpoint := startFakeBOS(t, staticCredentials{cred.accessKey: cred.secretKey})
	for _, tc := range []struct {
		ak, sk, code string
	}{
		{cred.accessKey, "wrong secret", CodeSignatureDoesNotMatch},
		{"unknown", cred.secretKey, CodeInvalidAccessKeyID},
	} {
		_, err := newSDKClient(t, tc.ak, tc.sk, endpoint).PutObjectFromString("bkt", "k", "v", nil)
		var se *bce.BceServiceError
		if !errors.As(err, &se) || se.Code != tc.code || se.StatusCode != http.StatusForbidden {
			t.Fatalf("%s: got %#v (%v)", tc.code, se, err)
		}
	}
}
