package object

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// ListInput is a ListObjects (v1 or v2) request, with v2's continuation
// token and start-after already reduced to Marker.
type ListInput struct {
	Bucket    string
	Prefix    string
	Delimiter string
	// Marker: list keys after it. A common prefix not greater than the
	// marker is skipped, so a NextMarker that was a prefix resumes after it.
	Marker  string
	MaxKeys int
}

// ListResult is one page of a listing in key order: Objects and
// CommonPrefixes interleave by key in S3's order and together count
// against MaxKeys.
type ListResult struct {
	Objects        []ObjectInfo
	CommonPrefixes []string
	IsTruncated    bool
	// NextMarker is the last key or common prefix returned when truncated.
	NextMarker string
}

// listBatch bounds one range scan; a page of 1,000 keys may need several
// scans when delimiters fold keys into prefixes.
const listBatch = 1000

// ListObjects lists a bucket the caller owns. Keys are read by indexed range
// scans in byte order; a common prefix is skipped in one step by restarting
// the scan at the prefix's successor, so a folder of a million keys costs one
// scan, not a million rows.
func (s *Service) ListObjects(ctx context.Context, in ListInput) (ListResult, error) {
	var res ListResult
	if in.MaxKeys < 0 || in.MaxKeys > s3.MaxListKeys {
		in.MaxKeys = s3.MaxListKeys
	}
	err := s.meta.View(ctx, func(tx meta.ReadTx) error {
		if _, err := ownedBucket(ctx, tx, in.Bucket); err != nil {
			return err
		}
		res = ListResult{}
		return listPage(tx, in, &res)
	})
	return res, err
}

func listPage(tx meta.ReadTx, in ListInput, res *ListResult) error {
	if in.MaxKeys == 0 {
		return nil
	}
	q := meta.ObjectRange{Bucket: in.Bucket, From: in.Prefix, After: in.Marker, Before: successor(in.Prefix)}
	count := 0
	var last string
	for {
		q.Limit = min(listBatch, in.MaxKeys-count+1)
		batch, err := tx.ListObjects(q)
		if err != nil {
			return err
		}
		restarted := false
		for _, o := range batch {
			if cp, ok := commonPrefix(o.Key, in.Prefix, in.Delimiter); ok {
				next := successor(cp)
				if cp > in.Marker {
					if count == in.MaxKeys {
						res.IsTruncated, res.NextMarker = true, last
						return nil
					}
					res.CommonPrefixes = append(res.CommonPrefixes, cp)
					count++
					last = cp
				}
				if next == "" { // nothing sorts after this prefix
					return nil
				}
				q.From, q.After = next, ""
				restarted = true
				break
			}
			if count == in.MaxKeys {
				res.IsTruncated, res.NextMarker = true, last
				return nil
			}
			res.Objects = append(res.Objects, o)
			count++
			last = o.Key
			q.After = o.Key
		}
		if !restarted && len(batch) < q.Limit {
			return nil
		}
	}
}

// commonPrefix returns the common prefix key folds into: the prefix plus
// everything up to and including the first delimiter after it.
func commonPrefix(key, prefix, delimiter string) (string, bool) {
	if delimiter == "" {
		return "", false
	}
	rest := key[len(prefix):]
	i := strings.Index(rest, delimiter)
	if i < 0 {
		return "", false
	}
	return key[:len(prefix)+i+len(delimiter)], true
}

// successor returns the smallest string greater than every string that
// starts with p, or "" when there is none (or p is ""). It increments the
// last code point, dropping maximal ones, so that for valid UTF-8 the bound
// stays valid text for PostgreSQL; a stray non-UTF-8 byte is stepped as a
// byte.
func successor(p string) string {
	for p != "" {
		r, size := utf8.DecodeLastRuneInString(p)
		last := p[len(p)-size:]
		p = p[:len(p)-size]
		switch {
		case r == utf8.RuneError && size == 1:
			if last[0] < 0xff {
				return p + string([]byte{last[0] + 1})
			}
		case r == utf8.MaxRune:
		case r == 0xD7FF: // skip the surrogate block, which UTF-8 cannot encode
			return p + string(rune(0xE000))
		default:
			return p + string(r+1)
		}
	}
	return ""
}
