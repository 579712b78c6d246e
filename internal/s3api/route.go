package s3api

import (
	"net/http"
	"net/url"
	"strings"
)

// Op names an S3 operation.
type Op string

// The operations Cairn serves.
const (
	OpListBuckets             Op = "ListBuckets"
	OpCreateBucket            Op = "CreateBucket"
	OpHeadBucket              Op = "HeadBucket"
	OpDeleteBucket            Op = "DeleteBucket"
	OpGetBucketLocation       Op = "GetBucketLocation"
	OpGetBucketVersioning     Op = "GetBucketVersioning"
	OpGetBucketLifecycle      Op = "GetBucketLifecycleConfiguration"
	OpPutBucketLifecycle      Op = "PutBucketLifecycleConfiguration"
	OpDeleteBucketLifecycle   Op = "DeleteBucketLifecycle"
	OpListObjects             Op = "ListObjects"
	OpListObjectsV2           Op = "ListObjectsV2"
	OpListMultipartUploads    Op = "ListMultipartUploads"
	OpDeleteObjects           Op = "DeleteObjects"
	OpPutObject               Op = "PutObject"
	OpCopyObject              Op = "CopyObject"
	OpGetObject               Op = "GetObject"
	OpHeadObject              Op = "HeadObject"
	OpDeleteObject            Op = "DeleteObject"
	OpGetObjectAttributes     Op = "GetObjectAttributes"
	OpGetObjectTagging        Op = "GetObjectTagging"
	OpPutObjectTagging        Op = "PutObjectTagging"
	OpDeleteObjectTagging     Op = "DeleteObjectTagging"
	OpCreateMultipartUpload   Op = "CreateMultipartUpload"
	OpUploadPart              Op = "UploadPart"
	OpUploadPartCopy          Op = "UploadPartCopy"
	OpListParts               Op = "ListParts"
	OpAbortMultipartUpload    Op = "AbortMultipartUpload"
	OpCompleteMultipartUpload Op = "CompleteMultipartUpload"
	opNotImplemented          Op = ""
	opMethodNotAllowedHint    Op = "-"
)

// target is what a request addresses.
type target uint8

const (
	targetService target = iota // no bucket
	targetBucket                // a bucket, no key
	targetObject                // a key in a bucket
)

// routeEntry selects an operation: method, target, the exact set of query
// sub-resources present (comma-separated, in the order of subresources;
// "" for none), and a header that must be present.
type routeEntry struct {
	method string
	target target
	subs   string
	header string
	op     Op
}

// routes is the operation table, in match order: an entry with a header
// comes before the same method and sub-resources without one.
var routes = []routeEntry{
	{http.MethodGet, targetService, "", "", OpListBuckets},

	{http.MethodGet, targetBucket, "location", "", OpGetBucketLocation},
	{http.MethodGet, targetBucket, "versioning", "", OpGetBucketVersioning},
	{http.MethodGet, targetBucket, "lifecycle", "", OpGetBucketLifecycle},
	{http.MethodPut, targetBucket, "lifecycle", "", OpPutBucketLifecycle},
	{http.MethodDelete, targetBucket, "lifecycle", "", OpDeleteBucketLifecycle},
	{http.MethodGet, targetBucket, "list-type", "", OpListObjectsV2},
	{http.MethodGet, targetBucket, "uploads", "", OpListMultipartUploads},
	{http.MethodGet, targetBucket, "", "", OpListObjects},
	{http.MethodPut, targetBucket, "", "", OpCreateBucket},
	{http.MethodHead, targetBucket, "", "", OpHeadBucket},
	{http.MethodDelete, targetBucket, "", "", OpDeleteBucket},
	{http.MethodPost, targetBucket, "delete", "", OpDeleteObjects},

	{http.MethodGet, targetObject, "tagging", "", OpGetObjectTagging},
	{http.MethodPut, targetObject, "tagging", "", OpPutObjectTagging},
	{http.MethodDelete, targetObject, "tagging", "", OpDeleteObjectTagging},
	{http.MethodGet, targetObject, "attributes", "", OpGetObjectAttributes},
	{http.MethodPost, targetObject, "uploads", "", OpCreateMultipartUpload},
	{http.MethodPut, targetObject, "partNumber,uploadId", "X-Amz-Copy-Source", OpUploadPartCopy},
	{http.MethodPut, targetObject, "partNumber,uploadId", "", OpUploadPart},
	{http.MethodGet, targetObject, "uploadId", "", OpListParts},
	{http.MethodDelete, targetObject, "uploadId", "", OpAbortMultipartUpload},
	{http.MethodPost, targetObject, "uploadId", "", OpCompleteMultipartUpload},
	{http.MethodPut, targetObject, "", "X-Amz-Copy-Source", OpCopyObject},
	{http.MethodPut, targetObject, "", "", OpPutObject},
	{http.MethodGet, targetObject, "", "", OpGetObject},
	{http.MethodHead, targetObject, "", "", OpHeadObject},
	// GetObject and HeadObject take ?partNumber=N (a plain object is part 1).
	{http.MethodGet, targetObject, "partNumber", "", OpGetObject},
	{http.MethodHead, targetObject, "partNumber", "", OpHeadObject},
	{http.MethodDelete, targetObject, "", "", OpDeleteObject},
}

// subresources are the query parameters that select an S3 operation rather
// than modify one. A request naming some that no route serves is
// NotImplemented; other parameters (x-id, prefix, response-*) never select.
var subresources = []string{
	"accelerate", "acl", "analytics", "attributes", "cors", "delete", "encryption",
	"intelligent-tiering", "inventory", "legal-hold", "lifecycle", "list-type", "location",
	"logging", "metadataConfiguration", "metadataTable", "metrics", "notification", "object-lock",
	"ownershipControls", "partNumber", "policy", "policyStatus", "publicAccessBlock",
	"renameObject", "replication", "requestPayment", "restore", "retention", "select", "session",
	"tagging", "torrent", "uploadId", "uploads", "versioning", "versions", "website",
}

// route finds the operation of a request. It returns opNotImplemented for a
// well-formed request Cairn does not serve, and opMethodNotAllowedHint for a
// method S3 never accepts.
func route(method string, t target, query url.Values, header http.Header) Op {
	var present []string
	for _, name := range subresources {
		if _, ok := query[name]; ok {
			present = append(present, name)
		}
	}
	subs := strings.Join(present, ",")
	for _, e := range routes {
		if e.method != method || e.target != t || e.subs != subs {
			continue
		}
		if e.header != "" && header.Get(e.header) == "" {
			continue
		}
		return e.op
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPost, http.MethodDelete:
		return opNotImplemented
	}
	return opMethodNotAllowedHint
}
