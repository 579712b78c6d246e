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
	// Dialect is the dialect of requests that nothing else identifies (see
	// dialect.go): "s3" (the default), or a vendor's, e.g. "msdp" for a
	// NetBackup listener.
	Dialect string
	// COSDomains are Tencent COS base domains: a request to
	// "<bucket>.<domain>" addresses that bucket and speaks COS.
	COSDomains []string
}

// Handler is the S3 API, in every dialect, as an http.Handler.
type Handler struct {
	cfg      Config
	svc      *object.Service
	ids      Identities
	log      *slog.Logger
	ops      map[Op]func(*request) error
	domains  []string  // every base domain for virtual-host addressing
	schemes  []scheme  // in detection order; the last matches everything
	dialects []dialect // those that may claim a request by its headers
	fallback dialect   // the listener's dialect
}

// New returns the S3 API over svc, authenticating with ids. It fails only
// on a configuration error (an unknown dialect).
func New(cfg Config, svc *object.Service, ids Identities) (*Handler, error) {
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
	h.domains = append(append([]string(nil), cfg.Domains...), cfg.COSDomains...)
	var err error
	if h.fallback, err = newDialect(cfg.Dialect, cfg); err != nil {
		return nil, err
	}
	cos, bos, ks3 := newCOSDialect(cfg), newBOSDialect(cfg), newKS3Dialect(cfg)
	h.dialects = []dialect{cos, bos, ks3}
	creds := credentials{ids}
	h.schemes = []scheme{
		newCOSScheme(creds, cfg.Now, cos),
		newBOSScheme(creds, cfg.Now, bos),
		newSigV2Scheme(creds, cfg.Now, h.domains),
		sigv4Scheme{&sigv4.Verifier{Credentials: creds, Now: cfg.Now}},
	}
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
	return h, nil
}

// request is one S3 request on its way through the handler.
type request struct {
	r       *http.Request
	w       *responseWriter
	ctx     context.Context
	id      string
	hostID  string
	op      Op
	addr    address
	cred    *credential
	dialect dialect
	// extra holds the extra checksums (base64, by algorithm) of the object
	// or part the response is about, for dialects that report them.
	extra map[s3.ChecksumAlgorithm]string
}

// traits are the request's dialect's.
func (req *request) traits() *traits { return req.dialect.traits() }

// reply renders a successful result in the request's dialect.
func (req *request) reply(status int, v any) error { return req.dialect.reply(req, status, v) }

// resource is the Resource element of an error document: the path.
func (req *request) resource() string { return req.r.URL.Path }

// body is the request payload as the operation must read it: decoded and
// verified by the signature layer.
func (req *request) body() io.Reader {
	if req.cred != nil && req.cred.body != nil {
		return req.cred.body
	}
	return req.r.Body
}

// ServeHTTP answers one S3 request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := &request{r: r, w: &responseWriter{ResponseWriter: w}, ctx: r.Context()}
	req.id, req.hostID = newRequestID()
	sch := h.detect(req)
	req.w.before = func(hdr http.Header) { req.dialect.finish(req, hdr) }
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
	if err := h.serve(req, sch); err != nil {
		h.writeError(req, err)
	}
}

// detect picks the request's signature scheme and dialect. A vendor scheme
// implies its dialect; a shared one (SigV4, SigV2, none) leaves it to the
// dialects' header checks, then to the listener's.
func (h *Handler) detect(req *request) scheme {
	for _, s := range h.schemes {
		if !s.matches(req.r) {
			continue
		}
		req.dialect = s.implied()
		if req.dialect == nil {
			for _, d := range h.dialects {
				if d.claims(req.r) {
					req.dialect = d
					break
				}
			}
		}
		if req.dialect == nil {
			req.dialect = h.fallback
		}
		return s
	}
	req.dialect = h.fallback
	return h.schemes[len(h.schemes)-1]
}

func (h *Handler) serve(req *request, sch scheme) error {
	r := req.r
	req.dialect.prepare(r)
	req.addr = resolveAddress(h.domains, r.Host, r.URL.Path)
	req.op = route(r.Method, req.addr.target(), r.URL.Query(), r.Header)
	if err := h.authenticate(req, sch); err != nil {
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
func (h *Handler) authenticate(req *request, sch scheme) error {
	res, err := sch.verify(req.r)
	if err != nil {
		return err
	}
	req.cred = res
	if res.anonymous {
		if q := req.r.URL.Query(); q.Has("AWSAccessKeyId") && q.Has("Signature") {
			// A SigV2 presigned URL: say what to change, as S3 does.
			return s3.Errorf(s3.ErrInvalidRequest, "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
		}
		return s3.ErrAccessDenied
	}
	id, err := h.ids.Lookup(req.ctx, res.accessKey)
	if err != nil {
		if errors.Is(err, iam.ErrUnknownAccessKey) {
			return s3.ErrInvalidAccessKeyID.With("AWSAccessKeyId", res.accessKey)
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
