package s3api

import (
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/cairn-s3/cairn/internal/object"
	"github.com/cairn-s3/cairn/internal/s3"
)

// msdpDialect is the NetBackup MSDP compatibility profile (seed 000). Its
// clients are the stock AWS SDKs and CLI signing with SigV4, so nothing in a
// request tells it apart from S3: a listener opts in with dialect=msdp, and
// the profile only changes what the server answers.
//
//   - ETags are the hex SHA-256 of the object, multipart objects included.
//   - NoSuchUpload, InvalidPart and EntityTooSmall are spelled as MSDP's
//     server spells them (ErrNoSuchUpload, ErrInvalidPart, ErrEntityTooSmall)
//     and are all 400. The seed documents them for Complete; the names look
//     like the server's own error variables, so they are used for every
//     operation that can fail with them (UploadPart, ListParts, Abort too).
//   - The Complete result is Bucket, Key and ETag, without Location.
//
// A Complete that outlasts the keep-alive delay (hashing the object takes
// about a second per GiB) is answered by complete.go's keep-alive path,
// which renders S3's result and S3's error codes without the dialect.
//
// Object names are not held to MSDP's UNIX path rules (no leading or
// trailing "/", "//" collapsed, "." and ".." resolved): the profile accepts
// every key S3 accepts and stores it verbatim. Resolving names would change
// keys that SigV4 signed, and the buckets are shared with the S3 listeners,
// whose clients may already hold keys such as "dir/".
type msdpDialect struct{ s3Dialect }

func newMSDPDialect(Config) dialect {
	return &msdpDialect{s3Dialect{t: traits{etag: object.ETagSHA256}}}
}

func (*msdpDialect) name() string { return "msdp" }

// msdpCompleteResult is MSDP's CompleteMultipartUploadResult.
type msdpCompleteResult struct {
	XMLName xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns   string   `xml:"xmlns,attr"`
	Bucket  string   `xml:"Bucket"`
	Key     string   `xml:"Key"`
	ETag    string   `xml:"ETag"`
}

func (*msdpDialect) reply(req *request, status int, v any) error {
	switch c := v.(type) {
	case completeMultipartUploadResult:
		v = msdpCompleteResult{Xmlns: c.Xmlns, Bucket: c.Bucket, Key: c.Key, ETag: c.ETag}
	case *completeMultipartUploadResult:
		v = msdpCompleteResult{Xmlns: c.Xmlns, Bucket: c.Bucket, Key: c.Key, ETag: c.ETag}
	}
	return writeXML(req, status, v)
}

func (*msdpDialect) fail(req *request, e *s3.Error) {
	code, ok := msdpErrorCode(e.Code)
	if !ok {
		writeXMLError(req, e)
		return
	}
	// The renamed code is not in S3's table, so the message and status are
	// fixed here, from the S3 code, before the rename.
	renamed := *e
	renamed.Code, renamed.Message = code, e.Text()
	hdr := req.w.Header()
	for k, v := range e.Header {
		hdr.Set(k, v)
	}
	if req.r.Method == http.MethodHead {
		hdr.Del("Content-Length")
		req.w.WriteHeader(http.StatusBadRequest)
		return
	}
	body := errorDocument(&renamed, req.resource(), req.id, req.hostID)
	hdr.Set("Content-Type", "application/xml")
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	req.w.WriteHeader(http.StatusBadRequest)
	_, _ = req.w.Write(body)
}

// msdpErrorCode is MSDP's name for an S3 error code that MSDP renames, all
// of which it answers with 400; ok is false for the codes it keeps.
func msdpErrorCode(c s3.ErrorCode) (s3.ErrorCode, bool) {
	switch c {
	case s3.ErrNoSuchUpload, s3.ErrInvalidPart, s3.ErrEntityTooSmall:
		return "Err" + c, true
	}
	return "", false
}
