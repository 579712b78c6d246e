package object

import (
	"context"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// GetObjectTagging returns an object's tags, sorted by key.
func (s *Service) GetObjectTagging(ctx context.Context, bucket, key string) ([]s3.Tag, error) {
	var tags []s3.Tag
	err := s.meta.View(ctx, func(tx meta.ReadTx) error {
		if _, err := ownedBucket(ctx, tx, bucket); err != nil {
			return err
		}
		o, err := getObject(tx, bucket, key)
		tags = o.Tags
		return err
	})
	return tags, err
}

// PutObjectTagging replaces an object's tags.
func (s *Service) PutObjectTagging(ctx context.Context, bucket, key string, tags []s3.Tag) error {
	tags, err := s3.ValidateTags(tags)
	if err != nil {
		return err
	}
	return s.setTags(ctx, bucket, key, tags)
}

// DeleteObjectTagging removes an object's tags.
func (s *Service) DeleteObjectTagging(ctx context.Context, bucket, key string) error {
	return s.setTags(ctx, bucket, key, nil)
}

func (s *Service) setTags(ctx context.Context, bucket, key string, tags []s3.Tag) error {
	return s.meta.Update(ctx, func(tx meta.Tx) error {
		if _, err := ownedBucket(ctx, tx, bucket); err != nil {
			return err
		}
		err := tx.SetObjectTags(bucket, key, tags)
		if isNotFound(err) {
			return s3.ErrNoSuchKey.With("Key", key)
		}
		return err
	})
}
