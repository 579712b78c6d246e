package crashtest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The multipart operations of the workload. Parts go to the parts ledger
// (one entry per upload and part number); a Complete is a write of its key
// in the key ledger, whose result is the upload's composite body.

// createUpload starts an upload of a random key, with a random checksum
// mode and user metadata naming the upload's label.
func (ld *load) createUpload(ctx context.Context, rng *rand.Rand) {
	limit := maxOpenUploads
	if ld.aiming.Load() {
		limit += 4 // a kill aimed at creates must find some to cut
	}
	if ld.uploads.openCount() >= limit {
		return
	}
	key := ld.pickKey(rng)
	modes := checksumModes()
	m := modes[rng.IntN(len(modes))]
	pc := &pendingCreate{Key: key, Label: contentID{Key: key, Version: ld.versions.Add(1)}, Alg: m.Alg, Type: m.Type}
	ld.uploads.beginCreate(pc)
	received := ld.send("create upload")
	out, err := ld.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:            &ld.bucket,
		Key:               &key,
		Metadata:          map[string]string{metaContent: pc.Label.String()},
		ChecksumAlgorithm: m.Alg,
		ChecksumType:      m.Type,
	})
	received()
	op := fmt.Sprintf("create upload of %s (label %s, %s)", key, pc.Label, m)
	if err != nil {
		ld.failed(op, err)
		return
	}
	id := aws.ToString(out.UploadId)
	if id == "" {
		ld.fail("%s: acknowledged without an UploadId", op)
		return
	}
	ld.uploads.created(pc, id)
	ld.done("create upload")
}

// uploadPart uploads a new body as a random part number of an open upload,
// often replacing an earlier part.
func (ld *load) uploadPart(ctx context.Context, rng *rand.Rand) {
	u := ld.uploads.pick(rng, false)
	if u == nil {
		return
	}
	defer u.busy.RUnlock()
	n := 1 + rng.IntN(maxPartNumber)
	id := contentID{Key: u.Key, Version: ld.versions.Add(1)}
	body, etag := ld.contents.sized(id, partSize(rng))
	w := ld.parts.begin("part", partKey(u.ID, n), fmt.Sprintf("of %s (%d bytes)", id, len(body)), fixed(present(id)))
	received := ld.send("part")
	out, err := ld.client.UploadPart(ctx, &s3.UploadPartInput{
		Bucket:            &ld.bucket,
		Key:               &u.Key,
		UploadId:          &u.ID,
		PartNumber:        aws.Int32(int32(n)),
		Body:              bytes.NewReader(body),
		ContentLength:     aws.Int64(int64(len(body))),
		ChecksumAlgorithm: u.Alg,
	}, func(o *s3.Options) {
		if u.Alg == "" {
			// Else the SDK adds a CRC32, which an upload created
			// without a checksum refuses, as S3 does.
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		}
	})
	received()
	if err != nil {
		ld.failed(w.String(), err)
		return
	}
	ld.parts.acknowledge(w, present(id))
	ld.done("part")
	if got := unquote(out.ETag); got != etag {
		ld.fail("%s: ETag %q, want %q", w, got, etag)
	}
}

// uploadPartCopy makes a part of an open upload from one leaf of what a key
// holds: the whole object when it is one body, else the byte range of one
// of its parts. x-amz-copy-source-if-match pins the state copied, so the
// part's content is known; a source that changed meanwhile changes nothing.
func (ld *load) uploadPartCopy(ctx context.Context, rng *rand.Rand) {
	u := ld.uploads.pick(rng, false)
	if u == nil {
		return
	}
	defer u.busy.RUnlock()
	src := ld.pickKey(rng)
	var held []contentID
	for _, c := range ld.ledger.acceptable(src) {
		if c.State.Present {
			held = append(held, c.State.Content)
		}
	}
	if len(held) == 0 {
		return
	}
	from := held[rng.IntN(len(held))]
	leaves := ld.contents.leaves(from)
	i := rng.IntN(len(leaves))
	leaf := leaves[i]
	var off int64
	for _, l := range leaves[:i] {
		off += ld.contents.size(l)
	}
	size := ld.contents.size(leaf)
	note := fmt.Sprintf("of %s from %s if it holds %s", leaf, src, from)
	var byteRange *string
	if len(leaves) > 1 || rng.IntN(2) == 0 {
		byteRange = aws.String(fmt.Sprintf("bytes=%d-%d", off, off+size-1))
		note += ", " + *byteRange
	}
	n := 1 + rng.IntN(maxPartNumber)
	w := ld.parts.begin("part copy", partKey(u.ID, n), note, fixed(present(leaf)))
	received := ld.send("part copy")
	out, err := ld.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{
		Bucket:            &ld.bucket,
		Key:               &u.Key,
		UploadId:          &u.ID,
		PartNumber:        aws.Int32(int32(n)),
		CopySource:        aws.String(ld.bucket + "/" + src),
		CopySourceRange:   byteRange,
		CopySourceIfMatch: aws.String(`"` + ld.contents.etag(from) + `"`),
	})
	received()
	if err != nil {
		if hasCode(err, "PreconditionFailed") || hasCode(err, "NoSuchKey") {
			ld.parts.withdraw(w)
			ld.done("part copy of a changed source")
			return
		}
		ld.failed(w.String(), err)
		return
	}
	ld.parts.acknowledge(w, present(leaf))
	ld.done("part copy")
	var got string
	if out.CopyPartResult != nil {
		got = unquote(out.CopyPartResult.ETag)
	}
	if want := ld.contents.etag(leaf); got != want {
		ld.fail("%s: ETag %q, want %q", w, got, want)
	}
}

// complete completes an open upload with all its parts or a random subset,
// as ListParts shows them; now and then it replays the Complete of an
// upload completed earlier instead, which must answer the same ETag and
// change nothing.
func (ld *load) complete(ctx context.Context, rng *rand.Rand) {
	if rng.IntN(4) == 0 {
		if u := ld.uploads.pickCompleted(rng); u != nil {
			ld.replay(ctx, u)
			return
		}
	}
	u := ld.uploads.pick(rng, true)
	if u == nil {
		return
	}
	defer u.busy.Unlock()
	listed, err := listParts(ctx, ld.client, ld.bucket, u)
	if err != nil {
		ld.failed("list parts of "+u.String(), err)
		return
	}
	if _, problems := checkParts(u, listed, ld.parts, ld.contents); len(problems) > 0 {
		for _, p := range problems {
			ld.fail("under load: %s", p)
		}
		return
	}
	usable := completable(u, listed)
	if len(usable) == 0 {
		return
	}
	chosen := usable
	switch {
	case rng.IntN(2) == 0:
	case u.Alg == "":
		chosen = slices.DeleteFunc(slices.Clone(usable), func(types.Part) bool { return rng.IntN(2) == 0 })
		if len(chosen) == 0 {
			chosen = usable[rng.IntN(len(usable)):][:1]
		}
	default:
		chosen = usable[:1+rng.IntN(len(usable))]
	}
	parts, leaves := completedParts(u, chosen, ld.contents)
	etag := ld.contents.compose(u.Label, leaves)
	w := ld.ledger.begin("complete", u.Key, fmt.Sprintf("of %s with %s", u, describeParts(parts)), fixed(present(u.Label)))
	ld.uploads.beginEnd(u, &ending{Kind: "complete", Parts: parts, ETag: etag})
	received := ld.send("complete")
	out, err := ld.client.CompleteMultipartUpload(ctx, completeInput(ld.bucket, u, parts))
	received()
	if err != nil {
		ld.failed(w.String(), err)
		return
	}
	ld.ledger.acknowledge(w, present(u.Label))
	ld.uploads.acknowledgeEnd(u)
	ld.done("complete")
	if got := unquote(out.ETag); got != etag {
		ld.fail("%s: ETag %q, want %q", w, got, etag)
	}
}

// replay sends again the Complete of a completed upload.
func (ld *load) replay(ctx context.Context, u *upload) {
	_, e := ld.uploads.endingOf(u)
	out, err := ld.client.CompleteMultipartUpload(ctx, completeInput(ld.bucket, u, e.Parts))
	op := fmt.Sprintf("replayed complete of %s", u)
	if err != nil {
		ld.failed(op, err)
		return
	}
	ld.done("complete replayed")
	if got := unquote(out.ETag); got != e.ETag {
		ld.fail("%s: ETag %q, want %q", op, got, e.ETag)
	}
}

// abort aborts an open upload.
func (ld *load) abort(ctx context.Context, rng *rand.Rand) {
	u := ld.uploads.pick(rng, true)
	if u == nil {
		return
	}
	defer u.busy.Unlock()
	ld.uploads.beginEnd(u, &ending{Kind: "abort"})
	received := ld.send("abort")
	_, err := ld.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket: &ld.bucket, Key: &u.Key, UploadId: &u.ID,
	})
	received()
	if err != nil {
		ld.failed("abort "+u.String(), err)
		return
	}
	ld.uploads.acknowledgeEnd(u)
	ld.done("abort")
}

// listParts lists every part of u, two per page so that the part-number
// marker is exercised.
func listParts(ctx context.Context, client *s3.Client, bucket string, u *upload) ([]types.Part, error) {
	pages := s3.NewListPartsPaginator(client, &s3.ListPartsInput{
		Bucket: &bucket, Key: &u.Key, UploadId: &u.ID, MaxParts: aws.Int32(2),
	})
	var parts []types.Part
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		parts = append(parts, page.Parts...)
	}
	return parts, nil
}

// checkParts compares a listing of u's parts with the parts ledger: every
// part listed must be one this test uploaded or copied, and every part
// number must hold an acceptable state (an acknowledged part, or one in
// flight, or nothing if no part was acknowledged). It returns the state of
// every part listed, by part key, and the problems found.
func checkParts(u *upload, listed []types.Part, l *ledger, c *contents) (map[string]state, []string) {
	seen := map[string]state{}
	var problems []string
	bad := map[int]bool{}
	last := 0
	for _, p := range listed {
		n := int(aws.ToInt32(p.PartNumber))
		etag := unquote(p.ETag)
		leaf, known := c.leafByETag(etag)
		switch {
		case n <= last:
			problems = append(problems, fmt.Sprintf("ListParts of %s lists part %d after part %d", u, n, last))
		case n < 1 || n > maxPartNumber:
			problems = append(problems, fmt.Sprintf("ListParts of %s lists part %d, a number never uploaded", u, n))
		case !known:
			problems = append(problems, fmt.Sprintf("ListParts of %s lists part %d with ETag %q, which is no part this test uploaded", u, n, etag))
		case aws.ToInt64(p.Size) != c.size(leaf):
			problems = append(problems, fmt.Sprintf("ListParts of %s lists part %d (%s) with size %d, want %d", u, n, leaf, aws.ToInt64(p.Size), c.size(leaf)))
		case partChecksum(p) == "":
			problems = append(problems, fmt.Sprintf("ListParts of %s lists part %d without a %s checksum", u, n, u.Alg))
		default:
			seen[partKey(u.ID, n)] = present(leaf)
		}
		if n > last {
			last = n
		}
		if _, ok := seen[partKey(u.ID, n)]; !ok {
			bad[n] = true
		}
	}
	for n := 1; n <= maxPartNumber; n++ {
		k := partKey(u.ID, n)
		if bad[n] {
			continue
		}
		got := seen[k]
		if ok := l.acceptable(k); !slices.Contains(states(ok), got) {
			problems = append(problems, fmt.Sprintf("part %d of %s is %s, which is not acceptable\nacceptable states:\n%swrites this round:\n%s",
				n, u, got, describe(ok), l.history(k)))
		}
	}
	return seen, problems
}

// partChecksum is the checksum ListParts shows for a part, in whichever
// algorithm.
func partChecksum(p types.Part) string {
	for _, v := range []*string{p.ChecksumCRC32, p.ChecksumCRC32C, p.ChecksumCRC64NVME, p.ChecksumSHA1, p.ChecksumSHA256} {
		if aws.ToString(v) != "" {
			return *v
		}
	}
	return ""
}

// completable returns the listed parts a Complete of u may name: any of
// them for an upload without a checksum, else those numbered 1, 2, 3...
// without a gap, as S3 requires when checksums are in use.
func completable(u *upload, listed []types.Part) []types.Part {
	if u.Alg == "" {
		return listed
	}
	n := 0
	for n < len(listed) && aws.ToInt32(listed[n].PartNumber) == int32(n+1) {
		n++
	}
	return listed[:n]
}

// completedParts is the part list of a Complete of the listed parts of u,
// with their checksums if u has an algorithm (COMPOSITE uploads need them;
// an upload without one refuses them), and the leaves they hold.
func completedParts(u *upload, listed []types.Part, c *contents) ([]types.CompletedPart, []contentID) {
	parts := make([]types.CompletedPart, 0, len(listed))
	leaves := make([]contentID, 0, len(listed))
	for _, p := range listed {
		cp := types.CompletedPart{PartNumber: p.PartNumber, ETag: p.ETag}
		if u.Alg != "" {
			cp.ChecksumCRC32, cp.ChecksumCRC32C, cp.ChecksumCRC64NVME = p.ChecksumCRC32, p.ChecksumCRC32C, p.ChecksumCRC64NVME
			cp.ChecksumSHA1, cp.ChecksumSHA256 = p.ChecksumSHA1, p.ChecksumSHA256
		}
		parts = append(parts, cp)
		leaf, _ := c.leafByETag(unquote(p.ETag))
		leaves = append(leaves, leaf)
	}
	return parts, leaves
}

func completeInput(bucket string, u *upload, parts []types.CompletedPart) *s3.CompleteMultipartUploadInput {
	return &s3.CompleteMultipartUploadInput{
		Bucket:          &bucket,
		Key:             &u.Key,
		UploadId:        &u.ID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	}
}

// describeParts lists a Complete's part numbers, for failure messages.
func describeParts(parts []types.CompletedPart) string {
	nums := make([]int32, len(parts))
	for i, p := range parts {
		nums[i] = aws.ToInt32(p.PartNumber)
	}
	return fmt.Sprintf("parts %v", nums)
}
