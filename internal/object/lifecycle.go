package object

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// lifecycleConfig is the name of the lifecycle document among a bucket's
// configuration documents.
const lifecycleConfig = "lifecycle"

// Lifecycle is a bucket's lifecycle configuration. Cairn honours the
// AbortIncompleteMultipartUpload action; the wire layer refuses rules with
// actions it would not honour, rather than store promises it cannot keep.
type Lifecycle struct {
	Rules []LifecycleRule `json:"rules"`
}

// LifecycleRule is one rule.
type LifecycleRule struct {
	ID      string `json:"id,omitempty"`
	Enabled bool   `json:"enabled"`
	// Prefix filters keys; "" matches every key.
	Prefix string `json:"prefix,omitempty"`
	// LegacyPrefix records that the prefix was the rule's top-level <Prefix>
	// rather than <Filter><Prefix>, so it is rendered back as it came.
	LegacyPrefix bool `json:"legacyPrefix,omitempty"`
	// AbortAfterDays is AbortIncompleteMultipartUpload's
	// DaysAfterInitiation; 0 means the rule has no such action.
	AbortAfterDays int `json:"abortAfterDays,omitempty"`
}

// maxLifecycleRules is S3's limit.
const maxLifecycleRules = 1000

func (lc Lifecycle) validate() error {
	if len(lc.Rules) == 0 || len(lc.Rules) > maxLifecycleRules {
		return s3.ErrMalformedXML
	}
	ids := make(map[string]bool, len(lc.Rules))
	for _, r := range lc.Rules {
		if len(r.ID) > 255 {
			return s3.Errorf(s3.ErrInvalidArgument, "ID length should not exceed allowed limit of 255").With("ArgumentName", "ID", "ArgumentValue", r.ID)
		}
		if r.ID != "" {
			if ids[r.ID] {
				return s3.Errorf(s3.ErrInvalidArgument, "Rule ID must be unique. Found same ID for more than one rule").With("ArgumentName", "ID", "ArgumentValue", r.ID)
			}
			ids[r.ID] = true
		}
		if r.AbortAfterDays <= 0 {
			return s3.Errorf(s3.ErrInvalidArgument, "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
		}
	}
	return nil
}

// PutBucketLifecycle replaces a bucket's lifecycle configuration.
func (s *Service) PutBucketLifecycle(ctx context.Context, bucket string, lc Lifecycle) error {
	if err := lc.validate(); err != nil {
		return err
	}
	data, err := json.Marshal(lc)
	if err != nil {
		return err
	}
	return s.meta.Update(ctx, func(tx meta.Tx) error {
		if _, err := ownedBucket(ctx, tx, bucket); err != nil {
			return err
		}
		return tx.PutBucketConfig(bucket, lifecycleConfig, data)
	})
}

// GetBucketLifecycle returns a bucket's lifecycle configuration, or
// NoSuchLifecycleConfiguration.
func (s *Service) GetBucketLifecycle(ctx context.Context, bucket string) (Lifecycle, error) {
	var lc Lifecycle
	err := s.meta.View(ctx, func(tx meta.ReadTx) error {
		if _, err := ownedBucket(ctx, tx, bucket); err != nil {
			return err
		}
		l, found, err := readLifecycle(tx, bucket)
		if err != nil {
			return err
		}
		if !found {
			return s3.ErrNoSuchLifecycleConfiguration.With("BucketName", bucket)
		}
		lc = l
		return nil
	})
	return lc, err
}

// DeleteBucketLifecycle removes a bucket's lifecycle configuration;
// removing none is not an error, as in S3.
func (s *Service) DeleteBucketLifecycle(ctx context.Context, bucket string) error {
	return s.meta.Update(ctx, func(tx meta.Tx) error {
		if _, err := ownedBucket(ctx, tx, bucket); err != nil {
			return err
		}
		err := tx.DeleteBucketConfig(bucket, lifecycleConfig)
		if errors.Is(err, meta.ErrNotFound) {
			return nil
		}
		return err
	})
}

func readLifecycle(tx meta.ReadTx, bucket string) (Lifecycle, bool, error) {
	data, err := tx.GetBucketConfig(bucket, lifecycleConfig)
	if errors.Is(err, meta.ErrNotFound) {
		return Lifecycle{}, false, nil
	}
	if err != nil {
		return Lifecycle{}, false, err
	}
	var lc Lifecycle
	if err := json.Unmarshal(data, &lc); err != nil {
		return Lifecycle{}, false, fmt.Errorf("bucket %q lifecycle: %w", bucket, err)
	}
	return lc, true, nil
}

// abortRuleFor finds the enabled rule that aborts u soonest, if any.
func abortRuleFor(tx meta.ReadTx, u meta.Upload) (*AbortRule, error) {
	lc, found, err := readLifecycle(tx, u.Bucket)
	if err != nil || !found {
		return nil, err
	}
	return lc.abortRule(u.Key, u.Initiated), nil
}

func (lc Lifecycle) abortRule(key string, initiated time.Time) *AbortRule {
	var best *AbortRule
	for _, r := range lc.Rules {
		if !r.Enabled || r.AbortAfterDays <= 0 || !strings.HasPrefix(key, r.Prefix) {
			continue
		}
		d := abortDate(initiated, r.AbortAfterDays)
		if best == nil || d.Before(best.Date) {
			best = &AbortRule{Date: d, RuleID: r.ID}
		}
	}
	return best
}

// abortDate is when a rule of days aborts an upload initiated at t: S3
// rounds t+days up to the next midnight UTC.
func abortDate(t time.Time, days int) time.Time {
	d := t.UTC().AddDate(0, 0, days)
	midnight := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	if midnight.Equal(d) {
		return d
	}
	return midnight.AddDate(0, 0, 1)
}

// SweepStats counts what one sweep did.
type SweepStats struct {
	Aborted            int
	CompletionsExpired int
}

// sweepBatch bounds each sweep transaction.
const sweepBatch = 500

// SweepUploads aborts the uploads that lifecycle rules or the server-wide
// idle expiry have condemned, and forgets completion records past their
// retention. It runs in the background; aborting is the same operation as
// AbortMultipartUpload, so the parts go to the collector.
func (s *Service) SweepUploads(ctx context.Context) (SweepStats, error) {
	var st SweepStats
	now := s.now()
	var configs []meta.BucketConfig
	if err := s.meta.View(ctx, func(tx meta.ReadTx) error {
		var err error
		configs, err = tx.ListBucketConfigs(lifecycleConfig)
		return err
	}); err != nil {
		return st, fmt.Errorf("list lifecycle configurations: %w", err)
	}
	// An upload is due when its abort date, the next midnight after
	// initiation + days, has passed: initiated + days <= the last midnight.
	lastMidnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	for _, c := range configs {
		var lc Lifecycle
		if err := json.Unmarshal(c.Data, &lc); err != nil {
			s.log.Warn("unreadable lifecycle configuration", "bucket", c.Bucket, "err", err)
			continue
		}
		for _, r := range lc.Rules {
			if !r.Enabled || r.AbortAfterDays <= 0 {
				continue
			}
			q := meta.ExpiryQuery{Bucket: c.Bucket, Prefix: r.Prefix, InitiatedBefore: lastMidnight.AddDate(0, 0, -r.AbortAfterDays).Add(time.Nanosecond)}
			n, err := s.abortExpired(ctx, q)
			st.Aborted += n
			if err != nil {
				return st, err
			}
		}
	}
	if s.cfg.UploadIdleExpiry > 0 {
		n, err := s.abortExpired(ctx, meta.ExpiryQuery{ActiveBefore: now.Add(-s.cfg.UploadIdleExpiry)})
		st.Aborted += n
		if err != nil {
			return st, err
		}
	}
	for {
		var n int
		err := s.meta.Update(ctx, func(tx meta.Tx) error {
			var err error
			n, err = tx.DeleteCompletions(now.Add(-s.cfg.CompletionRetention), sweepBatch)
			return err
		})
		if err != nil {
			return st, fmt.Errorf("expire completions: %w", err)
		}
		st.CompletionsExpired += n
		if n < sweepBatch {
			return st, nil
		}
	}
}

// abortExpired aborts every upload q selects, a batch at a time.
func (s *Service) abortExpired(ctx context.Context, q meta.ExpiryQuery) (int, error) {
	q.Limit = sweepBatch
	total := 0
	for {
		var n int
		err := s.meta.Update(ctx, func(tx meta.Tx) error {
			ups, err := tx.ExpiredUploads(q)
			if err != nil {
				return err
			}
			for _, u := range ups {
				if err := tx.DeleteUpload(u.ID); err != nil && !errors.Is(err, meta.ErrNotFound) {
					return err
				}
			}
			n = len(ups)
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("abort expired uploads: %w", err)
		}
		total += n
		if n < q.Limit {
			return total, nil
		}
	}
}
