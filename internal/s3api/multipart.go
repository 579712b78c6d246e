package s3api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cairn-s3/cairn/internal/checksum"
	"github.com/cairn-s3/cairn/internal/object"
	"github.com/cairn-s3/cairn/internal/s3"
)

func (h *Handler) createMultipartUpload(req *request) error {
	hdr := req.r.Header
	tags, err := tagsHeader(hdr.Get("X-Amz-Tagging"))
	if err != nil {
		return err
	}
	in := object.CreateUploadInput{
		Bucket:       req.addr.bucket,
		Key:          req.addr.key,
		Headers:      objectHeaders(hdr),
		UserMetadata: userMetadata(hdr),
		Tags:         tags,
		StorageClass: hdr.Get("X-Amz-Storage-Class"),
	}
	if v := hdr.Get("X-Amz-Checksum-Algorithm"); v != "" {
		alg, ok := s3.ParseChecksumAlgorithm(v)
		if !ok {
			return checksum.UnsupportedAlgorithm()
		}
		in.ChecksumAlgorithm = alg
	}
	if v := hdr.Get("X-Amz-Checksum-Type"); v != "" {
		typ := s3.ChecksumType(strings.ToUpper(v))
		if typ != s3.ChecksumTypeComposite && typ != s3.ChecksumTypeFullObject {
			return s3.Errorf(s3.ErrInvalidRequest, "Value for x-amz-checksum-type header is invalid.")
		}
		in.ChecksumType = typ
	}
	u, rule, err := h.svc.CreateMultipartUpload(req.ctx, in)
	if err != nil {
		return err
	}
	out := req.w.Header()
	if u.ChecksumAlgorithm != "" {
		out.Set("x-amz-checksum-algorithm", string(u.ChecksumAlgorithm))
		out.Set("x-amz-checksum-type", string(u.ChecksumType))
	}
	setAbortHeaders(out, rule)
	return req.reply(http.StatusOK, initiateMultipartUploadResult{Xmlns: s3Namespace, Bucket: u.Bucket, Key: u.Key, UploadID: u.ID})
}

func setAbortHeaders(h http.Header, rule *object.AbortRule) {
	if rule == nil {
		return
	}
	h.Set("x-amz-abort-date", httpTime(rule.Date))
	h.Set("x-amz-abort-rule-id", rule.RuleID)
}

// partNumberParam parses ?partNumber for UploadPart and UploadPartCopy.
func partNumberParam(q url.Values) (int, error) {
	v := q.Get("partNumber")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > s3.MaxPartNumber {
		return 0, s3.Errorf(s3.ErrInvalidArgument, "Part number must be an integer between 1 and 10000, inclusive").
			With("ArgumentName", "partNumber", "ArgumentValue", v)
	}
	return n, nil
}

func (h *Handler) uploadPart(req *request) error {
	q := req.r.URL.Query()
	n, err := partNumberParam(q)
	if err != nil {
		return err
	}
	md5sum, err := contentMD5(req.r.Header)
	if err != nil {
		return err
	}
	ci, err := req.checksumInput()
	if err != nil {
		return err
	}
	if req.cred.contentLength < 0 {
		return s3.ErrMissingContentLength
	}
	p, err := h.svc.UploadPart(req.ctx, object.UploadPartInput{
		Bucket: req.addr.bucket, Key: req.addr.key, UploadID: q.Get("uploadId"), PartNumber: n,
		Body: req.body(), Size: req.cred.contentLength, ContentMD5: md5sum, Checksum: ci,
		ExtraChecksums: req.traits().extraChecksums,
	})
	if err != nil {
		return err
	}
	req.extra = p.ExtraChecksums
	out := req.w.Header()
	out.Set("ETag", `"`+p.ETag+`"`)
	out.Set(p.ChecksumAlgorithm.HeaderName(), p.Checksum)
	out.Set("Content-Length", "0")
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// copySourceRange parses x-amz-copy-source-range: "bytes=first-last".
func copySourceRange(v string) (*object.CopyRange, error) {
	if v == "" {
		return nil, nil
	}
	bad := s3.Errorf(s3.ErrInvalidArgument, "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy").
		With("ArgumentName", "x-amz-copy-source-range", "ArgumentValue", v)
	spec, ok := strings.CutPrefix(v, "bytes=")
	if !ok {
		return nil, bad
	}
	first, last, ok := strings.Cut(spec, "-")
	if !ok || !allDigits(first) || !allDigits(last) {
		return nil, bad
	}
	f, err1 := strconv.ParseInt(first, 10, 64)
	l, err2 := strconv.ParseInt(last, 10, 64)
	if err1 != nil || err2 != nil || l < f {
		return nil, bad
	}
	return &object.CopyRange{First: f, Last: l}, nil
}

func (h *Handler) uploadPartCopy(req *request) error {
	q := req.r.URL.Query()
	n, err := partNumberParam(q)
	if err != nil {
		return err
	}
	hdr := req.r.Header
	srcBucket, srcKey, err := copySource(hdr.Get("X-Amz-Copy-Source"))
	if err != nil {
		return err
	}
	rng, err := copySourceRange(hdr.Get("X-Amz-Copy-Source-Range"))
	if err != nil {
		return err
	}
	p, err := h.svc.UploadPartCopy(req.ctx, object.UploadPartCopyInput{
		Bucket: req.addr.bucket, Key: req.addr.key, UploadID: q.Get("uploadId"), PartNumber: n,
		SrcBucket: srcBucket, SrcKey: srcKey, Range: rng,
		SourceConditions: readConditions(hdr, "X-Amz-Copy-Source-"),
		ExtraChecksums:   req.traits().extraChecksums,
	})
	if err != nil {
		return err
	}
	req.extra = p.ExtraChecksums
	res := copyPartResult{Xmlns: s3Namespace, LastModified: isoTime(p.LastModified), ETag: `"` + p.ETag + `"`}
	res.checksumFields = checksumXML(p.ChecksumAlgorithm, p.Checksum)
	return req.reply(http.StatusOK, res)
}

// intParam parses an optional non-negative integer query parameter.
func intParam(q url.Values, name string, def int) (int, error) {
	v, ok := q[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < 0 {
		return 0, s3.Errorf(s3.ErrInvalidArgument, "Provided %s not an integer or within integer range", name).
			With("ArgumentName", name, "ArgumentValue", v[0])
	}
	return n, nil
}

func (h *Handler) listParts(req *request) error {
	q := req.r.URL.Query()
	maxParts, err := intParam(q, "max-parts", s3.MaxListKeys)
	if err != nil {
		return err
	}
	marker, err := intParam(q, "part-number-marker", 0)
	if err != nil {
		return err
	}
	res, err := h.svc.ListParts(req.ctx, object.ListPartsInput{
		Bucket: req.addr.bucket, Key: req.addr.key, UploadID: q.Get("uploadId"), Marker: marker, MaxParts: min(maxParts, s3.MaxListKeys),
	})
	if err != nil {
		return err
	}
	p, _ := s3.PrincipalFrom(req.ctx)
	who := owner{ID: p.UserID, DisplayName: p.DisplayName}
	u := res.Upload
	out := listPartsResult{
		Xmlns: s3Namespace, Bucket: u.Bucket, Key: u.Key, UploadID: u.ID,
		PartNumberMarker: marker, NextPartNumberMarker: res.NextMarker, MaxParts: min(maxParts, s3.MaxListKeys),
		IsTruncated: res.IsTruncated, Initiator: who, Owner: who, StorageClass: u.StorageClass,
		ChecksumAlgorithm: string(u.ChecksumAlgorithm), ChecksumType: string(u.ChecksumType),
	}
	alg := u.ChecksumAlgorithm
	if alg == "" {
		alg = s3.ChecksumCRC64NVME
	}
	for _, part := range res.Parts {
		pr := partResult{PartNumber: part.Number, LastModified: isoTime(part.LastModified), ETag: `"` + part.ETag + `"`, Size: part.Size}
		pr.checksumFields = checksumXML(alg, part.Checksum)
		out.Parts = append(out.Parts, pr)
	}
	setAbortHeaders(req.w.Header(), res.Abort)
	return req.reply(http.StatusOK, out)
}

func (h *Handler) abortMultipartUpload(req *request) error {
	if err := h.svc.AbortMultipartUpload(req.ctx, req.addr.bucket, req.addr.key, req.r.URL.Query().Get("uploadId")); err != nil {
		return err
	}
	req.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) listMultipartUploads(req *request) error {
	q := req.r.URL.Query()
	lq, err := parseListQuery(q)
	if err != nil {
		return err
	}
	maxUploads, err := intParam(q, "max-uploads", s3.MaxListKeys)
	if err != nil {
		return err
	}
	maxUploads = min(maxUploads, s3.MaxListKeys)
	keyMarker, idMarker := q.Get("key-marker"), q.Get("upload-id-marker")
	if !listText(keyMarker) || !listText(idMarker) {
		return s3.Errorf(s3.ErrInvalidArgument, "The markers must be valid UTF-8 without NUL characters")
	}
	if keyMarker == "" {
		idMarker = "" // ignored without a key marker, as in S3
	}
	enc := lq.encoder()
	out := listMultipartUploadsResult{
		Xmlns: s3Namespace, Bucket: req.addr.bucket, MaxUploads: maxUploads, EncodingType: lq.encodingType(),
		KeyMarker: enc(keyMarker), UploadIDMarker: idMarker, Prefix: enc(lq.prefix), Delimiter: enc(lq.delimiter),
	}
	if maxUploads > 0 {
		res, err := h.svc.ListMultipartUploads(req.ctx, object.ListUploadsInput{
			Bucket: req.addr.bucket, Prefix: lq.prefix, Delimiter: lq.delimiter,
			KeyMarker: keyMarker, UploadIDMarker: idMarker, MaxUploads: maxUploads,
		})
		if err != nil {
			return err
		}
		p, _ := s3.PrincipalFrom(req.ctx)
		who := owner{ID: p.UserID, DisplayName: p.DisplayName}
		out.IsTruncated = res.IsTruncated
		out.NextKeyMarker, out.NextUploadIDMarker = enc(res.NextKeyMarker), res.NextUploadIDMarker
		for _, u := range res.Uploads {
			out.Uploads = append(out.Uploads, uploadResult{
				Key: enc(u.Key), UploadID: u.ID, Initiator: who, Owner: who, StorageClass: u.StorageClass,
				Initiated: isoTime(u.Initiated), ChecksumAlgorithm: string(u.ChecksumAlgorithm), ChecksumType: string(u.ChecksumType),
			})
		}
		for _, cp := range res.CommonPrefixes {
			out.CommonPrefixes = append(out.CommonPrefixes, prefixResult{Prefix: enc(cp)})
		}
	} else {
		_, err := h.svc.HeadBucket(req.ctx, req.addr.bucket)
		if err != nil {
			return err
		}
	}
	return req.reply(http.StatusOK, out)
}
