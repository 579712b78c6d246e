package s3api

import (
	"net/http"
	"strings"

	"github.com/cairn-s3/cairn/internal/checksum"
	"github.com/cairn-s3/cairn/internal/object"
	"github.com/cairn-s3/cairn/internal/s3"
)

func (h *Handler) putObject(req *request) error {
	hdr := req.r.Header
	md5sum, err := contentMD5(hdr)
	if err != nil {
		return err
	}
	ci, err := req.checksumInput()
	if err != nil {
		return err
	}
	tags, err := tagsHeader(hdr.Get("X-Amz-Tagging"))
	if err != nil {
		return err
	}
	size := req.cred.contentLength
	if size < 0 {
		return s3.ErrMissingContentLength
	}
	o, err := h.svc.PutObject(req.ctx, object.PutInput{
		Bucket:       req.addr.bucket,
		Key:          req.addr.key,
		Body:         req.body(),
		Size:         size,
		Headers:      objectHeaders(hdr),
		UserMetadata: userMetadata(hdr),
		Tags:         tags,
		StorageClass: hdr.Get("X-Amz-Storage-Class"),
		ContentMD5:   md5sum,
		Checksum:     ci,
		Conditions:   writeConditions(hdr),

		ExtraChecksums: req.traits().extraChecksums,
		ETag:           req.traits().etag,
	})
	if err != nil {
		return err
	}
	req.extra = o.ExtraChecksums
	out := req.w.Header()
	out.Set("ETag", `"`+o.ETag+`"`)
	setChecksumHeaders(out, o.Checksum)
	out.Set("Content-Length", "0")
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// setChecksumHeaders adds x-amz-checksum-<alg> and x-amz-checksum-type.
func setChecksumHeaders(h http.Header, c s3.Checksum) {
	if c.IsZero() {
		return
	}
	h.Set(c.Algorithm.HeaderName(), c.Value)
	if c.Type != "" {
		h.Set("x-amz-checksum-type", string(c.Type))
	}
}

// copySource parses x-amz-copy-source: "[/]bucket/key[?versionId=v]",
// URL-encoded.
func copySource(v string) (bucket, key string, err error) {
	invalid := s3.Errorf(s3.ErrInvalidArgument, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey").
		With("ArgumentName", "x-amz-copy-source", "ArgumentValue", v)
	path, query, _ := strings.Cut(v, "?")
	if query != "" {
		vid, ok := strings.CutPrefix(query, "versionId=")
		if !ok {
			return "", "", invalid
		}
		if vid != "null" {
			return "", "", s3.Errorf(s3.ErrInvalidArgument, "Invalid version id specified").With("ArgumentName", "versionId", "ArgumentValue", vid)
		}
	}
	decoded, uerr := urlPathUnescape(path)
	if uerr != nil {
		return "", "", invalid
	}
	decoded = strings.TrimPrefix(decoded, "/")
	bucket, key, ok := strings.Cut(decoded, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", invalid
	}
	return bucket, key, nil
}

func (h *Handler) copyObject(req *request) error {
	hdr := req.r.Header
	srcBucket, srcKey, err := copySource(hdr.Get("X-Amz-Copy-Source"))
	if err != nil {
		return err
	}
	in := object.CopyInput{
		SrcBucket:        srcBucket,
		SrcKey:           srcKey,
		Bucket:           req.addr.bucket,
		Key:              req.addr.key,
		StorageClass:     hdr.Get("X-Amz-Storage-Class"),
		SourceConditions: readConditions(hdr, "X-Amz-Copy-Source-"),
		Conditions:       writeConditions(hdr),
	}
	switch d := hdr.Get("X-Amz-Metadata-Directive"); d {
	case "", "COPY":
	case "REPLACE":
		in.ReplaceMetadata = true
		in.Headers = objectHeaders(hdr)
		in.UserMetadata = userMetadata(hdr)
	default:
		return s3.Errorf(s3.ErrInvalidArgument, "Unknown metadata directive.").With("ArgumentName", "x-amz-metadata-directive", "ArgumentValue", d)
	}
	switch d := hdr.Get("X-Amz-Tagging-Directive"); d {
	case "", "COPY":
	case "REPLACE":
		in.ReplaceTags = true
		if in.Tags, err = tagsHeader(hdr.Get("X-Amz-Tagging")); err != nil {
			return err
		}
	default:
		return s3.Errorf(s3.ErrInvalidArgument, "Unknown tagging directive.").With("ArgumentName", "x-amz-tagging-directive", "ArgumentValue", d)
	}
	if v := hdr.Get("X-Amz-Checksum-Algorithm"); v != "" {
		alg, ok := s3.ParseChecksumAlgorithm(v)
		if !ok {
			return checksum.UnsupportedAlgorithm()
		}
		in.ChecksumAlgorithm = alg
	}
	o, err := h.svc.CopyObject(req.ctx, in)
	if err != nil {
		return err
	}
	req.extra = o.ExtraChecksums
	res := copyObjectResult{Xmlns: s3Namespace, LastModified: isoTime(o.LastModified), ETag: `"` + o.ETag + `"`}
	setCopyChecksum(&res, o.Checksum)
	return req.reply(http.StatusOK, res)
}

func setCopyChecksum(res *copyObjectResult, c s3.Checksum) {
	res.checksumFields = checksumXML(c.Algorithm, c.Value)
	if res.field(c.Algorithm) != nil {
		res.ChecksumType = string(c.Type)
	}
}
