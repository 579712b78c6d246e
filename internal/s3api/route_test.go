package s3api

import (
	"net/http"
	"net/url"
	"testing"
)

func TestRoute(t *testing.T) {
	tests := []struct {
		method string
		url    string
		header string
		want   Op
	}{
		{"GET", "/", "", OpListBuckets},
		{"PUT", "/b", "", OpCreateBucket},
		{"HEAD", "/b", "", OpHeadBucket},
		{"DELETE", "/b", "", OpDeleteBucket},
		{"GET", "/b", "", OpListObjects},
		{"GET", "/b?list-type=2&prefix=a", "", OpListObjectsV2},
		{"GET", "/b?location", "", OpGetBucketLocation},
		{"GET", "/b?versioning", "", OpGetBucketVersioning},
		{"GET", "/b?uploads&prefix=x", "", OpListMultipartUploads},
		{"PUT", "/b?lifecycle", "", OpPutBucketLifecycle},
		{"GET", "/b?lifecycle", "", OpGetBucketLifecycle},
		{"DELETE", "/b?lifecycle", "", OpDeleteBucketLifecycle},
		{"POST", "/b?delete", "", OpDeleteObjects},
		{"PUT", "/b/k", "", OpPutObject},
		{"PUT", "/b/k?x-id=PutObject", "", OpPutObject},
		{"PUT", "/b/k", "X-Amz-Copy-Source", OpCopyObject},
		{"GET", "/b/k", "", OpGetObject},
		{"GET", "/b/k?partNumber=2", "", OpGetObject},
		{"HEAD", "/b/k?partNumber=1", "", OpHeadObject},
		{"GET", "/b/k?response-content-type=x", "", OpGetObject},
		{"HEAD", "/b/k", "", OpHeadObject},
		{"DELETE", "/b/k", "", OpDeleteObject},
		{"GET", "/b/k?tagging", "", OpGetObjectTagging},
		{"PUT", "/b/k?tagging", "", OpPutObjectTagging},
		{"DELETE", "/b/k?tagging", "", OpDeleteObjectTagging},
		{"GET", "/b/k?attributes", "", OpGetObjectAttributes},
		{"POST", "/b/k?uploads", "", OpCreateMultipartUpload},
		{"PUT", "/b/k?partNumber=1&uploadId=u", "", OpUploadPart},
		{"PUT", "/b/k?uploadId=u&partNumber=1", "X-Amz-Copy-Source", OpUploadPartCopy},
		{"GET", "/b/k?uploadId=u&max-parts=5", "", OpListParts},
		{"DELETE", "/b/k?uploadId=u", "", OpAbortMultipartUpload},
		{"POST", "/b/k?uploadId=u", "", OpCompleteMultipartUpload},
		{"GET", "/b?acl", "", opNotImplemented},
		{"GET", "/b/k?acl", "", opNotImplemented},
		{"PUT", "/b?policy", "", opNotImplemented},
		{"POST", "/b/k", "", opNotImplemented},
		{"GET", "/b/k?uploadId=u&partNumber=1", "", opNotImplemented},
		{"PATCH", "/b/k", "", opMethodNotAllowedHint},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		a := resolveAddress(nil, "127.0.0.1:9000", u.Path)
		h := http.Header{}
		if tt.header != "" {
			h.Set(tt.header, "src/key")
		}
		if got := route(tt.method, a.target(), u.Query(), h); got != tt.want {
			t.Errorf("%s %s (%s): got %q, want %q", tt.method, tt.url, tt.header, got, tt.want)
		}
	}
}
