// Package s3api serves the S3 REST API over net/http: addressing, the
// operation table, authentication, the XML wire format, and the one error
// writer. Operations are carried out by the object service; this package
// only translates between HTTP and it.
package s3api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/cairn-s3/cairn/internal/iam"
	"github.com/cairn-s3/cairn/internal/object"
	"github.com/cairn-s3/cairn/internal/s3"
	"github.com/cairn-s3/cairn/internal/sigv4"
)

// Identities resolves access keys; *iam.Directory implements it.
type Identities interface {
	Lookup(ctx context.Context, accessKey string) (iam.Identity, error)
}

// Config configures the handler.
type Config struct {
	// Domains are the base domains for virtual-host addressing: a request to
	// "<bucket>.<domain>" addresses that bucket. Empty means path-style only.
	Domains []string
	// Logger receives request failures that are not the client's fault.
	Logger *slog.Logger
	// Now is the clock for signature checks. Default time.Now.
	Now func() time.Time
	// CompleteKeepAliveDelay is how long a CompleteMultipartUpload may run
	// before the answer is committed to 200 OK and kept alive with
	// whitespace. Default 2 seconds.
	CompleteKeepAliveDelay time.Duration
	// CompleteKeepAliveInterval is the time between whitespace bytes.
	// Default 5 seconds.
	CompleteKeepAliveInterval time.Duration
}

// Handler is the S3 API as an http.Handler.
type Handler struct {
	cfg      Config
	svc      *object.Service
	ids      Identities
	verifier *sigv4.Verifier
	log      *slog.Logger
	ops      map[Op]func(*request) error
}

// New returns the S3 API over svc, authenticating with ids.
func New(cfg Config, svc *object.Service, ids Identities) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.CompleteKeepAliveDelay <= 0 {
		cfg.CompleteKeepAliveDelay = 2 * time.Second
	}
	if cfg.CompleteKeepAliveInterval <= 0 {
		cfg.CompleteKeepAliveInterval = 5 * time.Second
	}
	h := &Handler{cfg: cfg, svc: svc, ids: ids, log: cfg.Logger}
	h.verifier = &sigv4.Verifier{Credentials: credentials{ids}, Now: cfg.Now}
	h.ops = map[Op]func(*request) error{
		OpListBuckets:         h.listBuckets,
		OpCreateBucket:        h.createBucket,
		OpHeadBucket:          h.headBucket,
		OpDeleteBucket:        h.deleteBucket,
		OpGetBucketLocation:   h.getBucketLocation,
		OpGetBucketVersioning: h.getBucketVersioning,
		OpListObjects:         h.listObjectsV1,
		OpListObjectsV2:       h.listObjectsV2,
		OpDeleteObjects:       h.deleteObjects,
		OpPutObject:           h.putObject,
		OpCopyObject:          h.copyObject,
		OpGetObject:           h.getObject,
		OpHeadObject:          h.getObject,
		OpDeleteObject:        h.deleteObject,
		OpGetObjectTagging:    h.getObjectTagging,
		OpPutObjectTagging:    h.putObjectTagging,
		OpDeleteObjectTagging: h.deleteObjectTagging,

		OpCreateMultipartUpload:   h.createMultipartUpload,
		OpUploadPart:              h.uploadPart,
		OpUploadPartCopy:          h.uploadPartCopy,
		OpListParts:               h.listParts,
		OpAbortMultipartUpload:    h.abortMultipartUpload,
		OpCompleteMultipartUpload: h.completeMultipartUpload,
		OpListMultipartUploads:    h.listMultipartUploads,
		OpGetObjectAttributes:     h.getObjectAttributes,
		OpGetBucketLifecycle:      h.getBucketLifecycle,
		OpPutBucketLifecycle:      h.putBucketLifecycle,
		OpDeleteBucketLifecycle:   h.deleteBucketLifecycle,
	}
	return h
}

// request is one S3 request on its way through the handler.
type request struct {
	r      *http.Request
	w      *responseWriter
	ctx    context.Context
	id     string
	hostID string
	op     Op
	addr   address
	auth   *sigv4.Result
}

// resource is the Resource element of an error document: the path.
func (req *request) resource() string { return req.r.URL.Path }

// body is the request payload as the operation must read it: decoded and
// verified by the signature layer.
func (req *request) body() io.Reader {
	if req.auth != nil && req.auth.Body != nil {
		return req.auth.Body
	}
	return req.r.Body
}

// ServeHTTP answers one S3 request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := &request{r: r, w: &responseWriter{ResponseWriter: w}, ctx: r.Context()}
	req.id, req.hostID = newRequestID()
	hdr := w.Header()
	hdr.Set("x-amz-request-id", req.id)
	hdr.Set("x-amz-id-2", req.hostID)
	hdr.Set("Server", "Cairn")
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.log.Error("panic serving request", "request_id", req.id, "op", string(req.op), "panic", p)
			if !req.w.wroteHeader {
				h.writeError(req, errors.New("panic"))
			}
		}
	}()
	if err := h.serve(req); err != nil {
		h.writeError(req, err)
	}
}

func (h *Handler) serve(req *request) error {
	r := req.r
	req.addr = resolveAddress(h.cfg.Domains, r.Host, r.URL.Path)
	req.op = route(r.Method, req.addr.target(), r.URL.Query(), r.Header)
	if err := h.authenticate(req); err != nil {
		return err
	}
	switch req.op {
	case opMethodNotAllowedHint:
		return s3.ErrMethodNotAllowed.With("Method", r.Method, "ResourceType", targetName(req.addr.target()))
	case opNotImplemented:
		return s3.Errorf(s3.ErrNotImplemented, "This operation is not implemented by Cairn")
	}
	fn, ok := h.ops[req.op]
	if !ok {
		return s3.ErrNotImplemented
	}
	return fn(req)
}

// authenticate verifies the request's signature and puts the principal in
// the request context. Anonymous requests are refused: Cairn has no public
// buckets yet.
func (h *Handler) authenticate(req *request) error {
	res, err := h.verifier.Verify(req.r)
	if err != nil {
		return err
	}
	req.auth = res
	if res.Anonymous {
		if q := req.r.URL.Query(); q.Has("AWSAccessKeyId") && q.Has("Signature") {
			// A SigV2 presigned URL: say what to change, as S3 does.
			return s3.Errorf(s3.ErrInvalidRequest, "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
		}
		return s3.ErrAccessDenied
	}
	id, err := h.ids.Lookup(req.ctx, res.AccessKey)
	if err != nil {
		if errors.Is(err, iam.ErrUnknownAccessKey) {
			return s3.ErrInvalidAccessKeyID.With("AWSAccessKeyId", res.AccessKey)
		}
		return err
	}
	req.ctx = s3.WithPrincipal(req.ctx, id.Principal)
	return nil
}

func targetName(t target) string {
	switch t {
	case targetService:
		return "SERVICE"
	case targetBucket:
		return "BUCKET"
	}
	return "OBJECT"
}

// newRequestID returns the x-amz-request-id (16 upper-case hex digits, as
// S3's) and an x-amz-id-2.
func newRequestID() (string, string) {
	var b [40]byte
	_, _ = rand.Read(b[:])
	var id [16]byte
	hex.Encode(id[:], b[:8])
	for i, c := range id {
		if c >= 'a' {
			id[i] = c - 'a' + 'A'
		}
	}
	return string(id[:]), base64.StdEncoding.EncodeToString(b[8:])
}

// credentials adapts Identities to the verifier.
type credentials struct{ ids Identities }

func (c credentials) SecretKey(ctx context.Context, accessKey string) (string, error) {
	id, err := c.ids.Lookup(ctx, accessKey)
	if errors.Is(err, iam.ErrUnknownAccessKey) {
		return "", errors.Join(err, sigv4.ErrUnknownAccessKey)
	}
	return id.SecretKey, err
}
