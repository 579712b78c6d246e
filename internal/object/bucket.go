package object

import (
	"context"
	"errors"
	"fmt"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// CreateBucket creates a bucket owned by the caller. region is the
// LocationConstraint, "" for the service's region.
func (s *Service) CreateBucket(ctx context.Context, name, region string) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	if err := s3.ValidateBucketName(name); err != nil {
		return err
	}
	if region == "" {
		region = s.cfg.Region
	} else if !validRegion(region) {
		return s3.ErrInvalidLocationConstraint.With("LocationConstraint", region)
	}
	b := meta.Bucket{Name: name, OwnerID: p.UserID, Region: region, Created: s.now()}
	return s.meta.Update(ctx, func(tx meta.Tx) error {
		err := tx.CreateBucket(b)
		if errors.Is(err, meta.ErrExists) {
			existing, gerr := tx.GetBucket(name)
			if gerr == nil && existing.OwnerID == p.UserID {
				return s3.ErrBucketAlreadyOwnedByYou.With("BucketName", name)
			}
			return s3.ErrBucketAlreadyExists.With("BucketName", name)
		}
		return err
	})
}

// validRegion accepts what a region name looks like (lower-case letters,
// digits and inner hyphens, as in "eu-west-1") and S3's legacy "EU". The
// region is echoed in headers and XML, so free text is refused, as S3
// refuses an unknown location constraint.
func validRegion(r string) bool {
	if r == "EU" {
		return true
	}
	if len(r) > 63 || r[0] == '-' || r[len(r)-1] == '-' {
		return false
	}
	for i := 0; i < len(r); i++ {
		if c := r[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// HeadBucket returns a bucket the caller owns.
func (s *Service) HeadBucket(ctx context.Context, name string) (BucketInfo, error) {
	var b meta.Bucket
	err := s.meta.View(ctx, func(tx meta.ReadTx) error {
		var err error
		b, err = ownedBucket(ctx, tx, name)
		return err
	})
	return b, err
}

// DeleteBucket deletes an empty bucket the caller owns.
func (s *Service) DeleteBucket(ctx context.Context, name string) error {
	return s.meta.Update(ctx, func(tx meta.Tx) error {
		if _, err := ownedBucket(ctx, tx, name); err != nil {
			return err
		}
		empty, err := tx.BucketIsEmpty(name)
		if err != nil {
			return fmt.Errorf("bucket %q: %w", name, err)
		}
		if !empty {
			return s3.ErrBucketNotEmpty.With("BucketName", name)
		}
		return tx.DeleteBucket(name)
	})
}

// ListBuckets lists the caller's buckets by name.
func (s *Service) ListBuckets(ctx context.Context) ([]BucketInfo, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	var out []meta.Bucket
	err = s.meta.View(ctx, func(tx meta.ReadTx) error {
		var err error
		out, err = tx.ListBuckets(p.UserID)
		return err
	})
	return out, err
}
