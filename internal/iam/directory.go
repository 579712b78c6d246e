// Package iam resolves access keys to identities and manages users. It is
// a thin layer over the metadata store: users and keys are meta records, and
// lookups are cached briefly because every request makes one.
package iam

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// ErrUnknownAccessKey is returned by Lookup for a key no user holds.
var ErrUnknownAccessKey = errors.New("iam: unknown access key")

// Identity is what an access key resolves to.
type Identity struct {
	SecretKey string
	Principal s3.Principal
}

// Directory resolves access keys and manages users.
type Directory struct {
	meta meta.Store
	ttl  time.Duration
	now  func() time.Time

	mu    sync.Mutex
	cache map[string]cachedIdentity
}

type cachedIdentity struct {
	id      Identity
	expires time.Time
}

// maxCached bounds the cache; past it the cache is simply emptied, which is
// cheap and keeps memory flat under a flood of random keys.
const maxCached = 4096

// NewDirectory returns a Directory over store. Lookups are cached for ttl, so
// removing a user or key takes effect on a running server within ttl; zero
// disables the cache.
func NewDirectory(store meta.Store, ttl time.Duration) *Directory {
	return &Directory{meta: store, ttl: ttl, now: time.Now, cache: make(map[string]cachedIdentity)}
}

// Lookup resolves an access key.
func (d *Directory) Lookup(ctx context.Context, accessKey string) (Identity, error) {
	now := d.now()
	if d.ttl > 0 {
		d.mu.Lock()
		c, ok := d.cache[accessKey]
		d.mu.Unlock()
		if ok && now.Before(c.expires) {
			return c.id, nil
		}
	}
	var id Identity
	err := d.meta.View(ctx, func(tx meta.ReadTx) error {
		k, err := tx.GetAccessKey(accessKey)
		if err != nil {
			return err
		}
		u, err := tx.GetUser(k.UserID)
		if err != nil {
			return err
		}
		id = Identity{SecretKey: k.SecretKey, Principal: s3.Principal{UserID: u.ID, DisplayName: u.DisplayName, AccessKey: k.AccessKey}}
		return nil
	})
	if errors.Is(err, meta.ErrNotFound) {
		return Identity{}, fmt.Errorf("access key %q: %w", accessKey, ErrUnknownAccessKey)
	}
	if err != nil {
		return Identity{}, err
	}
	if d.ttl > 0 {
		d.mu.Lock()
		if len(d.cache) >= maxCached {
			clear(d.cache)
		}
		d.cache[accessKey] = cachedIdentity{id: id, expires: now.Add(d.ttl)}
		d.mu.Unlock()
	}
	return id, nil
}

// NewUserID returns a canonical user ID: 64 hex digits, the shape of S3's.
func NewUserID() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// NewAccessKey returns a random access key ID and secret in AWS's shapes:
// 20 upper-case alphanumerics and 40 base64-ish characters.
func NewAccessKey() (accessKey, secretKey string) {
	const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	const secretChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	return randomString(20, upper), randomString(40, secretChars)
}

func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
