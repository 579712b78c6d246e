package object

import (
	"context"
	"time"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// ListUploadsInput is a ListMultipartUploads request.
type ListUploadsInput struct {
	Bucket         string
	Prefix         string
	Delimiter      string
	KeyMarker      string
	UploadIDMarker string // used only with KeyMarker
	MaxUploads     int
}

// ListUploadsResult is one page of uploads in (key, initiation) order,
// interleaved with common prefixes as in ListObjects.
type ListUploadsResult struct {
	Uploads            []UploadInfo
	CommonPrefixes     []string
	IsTruncated        bool
	NextKeyMarker      string
	NextUploadIDMarker string
}

// ListMultipartUploads lists the uploads in progress of a bucket by indexed
// range scans, a page at a time: 10,000 uploads are never held at once.
func (s *Service) ListMultipartUploads(ctx context.Context, in ListUploadsInput) (ListUploadsResult, error) {
	if in.MaxUploads <= 0 || in.MaxUploads > s3.MaxListKeys {
		in.MaxUploads = s3.MaxListKeys
	}
	var res ListUploadsResult
	err := s.meta.View(ctx, func(tx meta.ReadTx) error {
		if _, err := ownedBucket(ctx, tx, in.Bucket); err != nil {
			return err
		}
		res = ListUploadsResult{}
		return listUploadsPage(tx, in, &res)
	})
	return res, err
}

func listUploadsPage(tx meta.ReadTx, in ListUploadsInput, res *ListUploadsResult) error {
	q := meta.UploadRange{Bucket: in.Bucket, From: in.Prefix, Before: successor(in.Prefix), AfterKey: in.KeyMarker}
	if in.KeyMarker != "" && in.UploadIDMarker != "" {
		// IDs carry their initiation time, so the marker places itself
		// even if its upload has completed since.
		q.AfterID = in.UploadIDMarker
		q.AfterInitiated, _ = uploadIDTime(in.UploadIDMarker)
	}
	count := 0
	var lastKey, lastID string
	for {
		q.Limit = min(listBatch, in.MaxUploads-count+1)
		batch, err := tx.ListUploads(q)
		if err != nil {
			return err
		}
		restarted := false
		for _, u := range batch {
			if cp, ok := commonPrefix(u.Key, in.Prefix, in.Delimiter); ok {
				if cp > in.KeyMarker {
					if count == in.MaxUploads {
						res.IsTruncated, res.NextKeyMarker, res.NextUploadIDMarker = true, lastKey, lastID
						return nil
					}
					res.CommonPrefixes = append(res.CommonPrefixes, cp)
					count++
					lastKey, lastID = cp, ""
				}
				next := successor(cp)
				if next == "" {
					return nil
				}
				q.From, q.AfterKey, q.AfterID, q.AfterInitiated = next, "", "", time.Time{}
				restarted = true
				break
			}
			if count == in.MaxUploads {
				res.IsTruncated, res.NextKeyMarker, res.NextUploadIDMarker = true, lastKey, lastID
				return nil
			}
			res.Uploads = append(res.Uploads, u)
			count++
			lastKey, lastID = u.Key, u.ID
			q.AfterKey, q.AfterID, q.AfterInitiated = u.Key, u.ID, u.Initiated
		}
		if !restarted && len(batch) < q.Limit {
			return nil
		}
	}
}
