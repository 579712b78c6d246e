package s3api

import (
	"net/http"
	"net/url"
)

// Op names an S3 operation.
type Op string

// The operations Cairn serves.
const (
	OpListBuckets          Op = "ListBuckets"
	OpCreateBucket         Op = "CreateBucket"
	OpHeadBucket           Op = "HeadBucket"
	OpDeleteBucket         Op = "DeleteBucket"
	OpGetBucketLocation    Op = "GetBucketLocation"
	OpGetBucketVersioning  Op = "GetBucketVersioning"
	OpListObjects          Op = "ListObjects"
	OpListObjectsV2        Op = "ListObjectsV2"
	OpDeleteObjects        Op = "DeleteObjects"
	OpPutObject            Op = "PutObject"
	OpCopyObject           Op = "CopyObject"
	OpGetObject            Op = "GetObject"
	OpHeadObject           Op = "HeadObject"
	OpDeleteObject         Op = "DeleteObject"
	OpGetObjectTagging     Op = "GetObjectTagging"
	OpPutObjectTagging     Op = "PutObjectTagging"
	OpDeleteObjectTagging  Op = "DeleteObjectTagging"
	opNotImplemented       Op = ""
	opMethodNotAllowedHint Op = "-"
)

// target is what a request addresses.
type target uint8

const (
	targetService target = iota // no bucket
	targetBucket                // a bucket, no key
	targetObject                // a key in a bucket
)

// routeEntry selects an operation: method, target, and the query
// sub-resource (and header) that distinguish operations on the same target.
// An entry with sub "" matches only when no known sub-resource is present.
type routeEntry struct {
	method string
	target target
	sub    string // query parameter that must be present
	header string // request header that must be present
	op     Op
}

// routes is the operation table, in match order: entries with a header come
// before the same method and sub-resource without one.
var routes = []routeEntry{
	{http.MethodGet, targetService, "", "", OpListBuckets},

	{http.MethodGet, targetBucket, "location", "", OpGetBucketLocation},
	{http.MethodGet, targetBucket, "versioning", "", OpGetBucketVersioning},
	{http.MethodGet, targetBucket, "list-type", "", OpListObjectsV2},
	{http.MethodGet, targetBucket, "", "", OpListObjects},
	{http.MethodPut, targetBucket, "", "", OpCreateBucket},
	{http.MethodHead, targetBucket, "", "", OpHeadBucket},
	{http.MethodDelete, targetBucket, "", "", OpDeleteBucket},
	{http.MethodPost, targetBucket, "delete", "", OpDeleteObjects},

	{http.MethodGet, targetObject, "tagging", "", OpGetObjectTagging},
	{http.MethodPut, targetObject, "tagging", "", OpPutObjectTagging},
	{http.MethodDelete, targetObject, "tagging", "", OpDeleteObjectTagging},
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
// than modify one. A request naming one that no route serves is
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
// method S3 never accepts on the target.
func route(method string, t target, query url.Values, header http.Header) Op {
	sub := ""
	for _, name := range subresources {
		if _, ok := query[name]; ok {
			sub = name
			break
		}
	}
	for _, e := range routes {
		if e.method != method || e.target != t || e.sub != sub {
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
