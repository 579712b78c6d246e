package object

import (
	"context"
	"errors"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

func isNotFound(err error) bool { return errors.Is(err, meta.ErrNotFound) }

// DeleteObject deletes an object. Deleting a missing key succeeds, as in S3.
// The object's extents go to the collector; no blob is touched here.
func (s *Service) DeleteObject(ctx context.Context, bucket, key string) error {
	if err := s3.ValidateKey(key); err != nil {
		return err
	}
	return s.meta.Update(ctx, func(tx meta.Tx) error {
		if _, err := ownedBucket(ctx, tx, bucket); err != nil {
			return err
		}
		_, err := tx.DeleteObject(bucket, key)
		if isNotFound(err) {
			return nil
		}
		return err
	})
}

// DeleteResult is the outcome for one key of DeleteObjects: Err is nil when
// the key was deleted (or was already absent).
type DeleteResult struct {
	Key string
	Err error
}

// DeleteObjects deletes many keys of one bucket in a single transaction and
// reports each key's outcome. A failure that is not about one key (the
// bucket is missing, access is denied) is returned as the error.
func (s *Service) DeleteObjects(ctx context.Context, bucket string, keys []string) ([]DeleteResult, error) {
	results := make([]DeleteResult, len(keys))
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		if _, err := ownedBucket(ctx, tx, bucket); err != nil {
			return err
		}
		for i, key := range keys {
			results[i] = DeleteResult{Key: key}
			if err := s3.ValidateKey(key); err != nil {
				results[i].Err = err
				continue
			}
			if _, err := tx.DeleteObject(bucket, key); err != nil && !isNotFound(err) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}
