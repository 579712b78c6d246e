package iam

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cairn-s3/cairn/internal/meta"
)

// Errors of user management.
var (
	ErrUserExists     = errors.New("iam: user or access key already exists")
	ErrUnknownUser    = errors.New("iam: no such user")
	ErrUserHasBuckets = errors.New("iam: user still owns buckets")
	ErrInvalidName    = errors.New("iam: invalid user name or key")
)

// RootName is the name of the user whose keys come from CAIRN_ROOT_* or are
// generated at first start.
const RootName = "root"

// UserInfo is a user with its access keys (secrets omitted).
type UserInfo struct {
	meta.User
	AccessKeys []string
}

// AddUser creates a user with one access key. Empty accessKey or secretKey
// are generated; the keys actually used are returned.
func (d *Directory) AddUser(ctx context.Context, name, accessKey, secretKey string) (meta.AccessKey, error) {
	if err := validateName(name); err != nil {
		return meta.AccessKey{}, err
	}
	genAK, genSK := NewAccessKey()
	if accessKey == "" {
		accessKey = genAK
	}
	if secretKey == "" {
		secretKey = genSK
	}
	if err := validateKeyPair(accessKey, secretKey); err != nil {
		return meta.AccessKey{}, err
	}
	now := d.now().UTC()
	u := meta.User{ID: NewUserID(), Name: name, DisplayName: name, Created: now}
	k := meta.AccessKey{AccessKey: accessKey, SecretKey: secretKey, UserID: u.ID, Created: now}
	err := d.meta.Update(ctx, func(tx meta.Tx) error {
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		return tx.CreateAccessKey(k)
	})
	if errors.Is(err, meta.ErrExists) {
		return meta.AccessKey{}, fmt.Errorf("user %q or key %q: %w", name, accessKey, ErrUserExists)
	}
	return k, err
}

// EnsureRoot makes the root user exist and hold exactly the given key pair,
// replacing older root keys: the environment or the credentials file is the
// source of truth for root.
func (d *Directory) EnsureRoot(ctx context.Context, accessKey, secretKey string) error {
	if err := validateKeyPair(accessKey, secretKey); err != nil {
		return err
	}
	now := d.now().UTC()
	err := d.meta.Update(ctx, func(tx meta.Tx) error {
		u, err := tx.GetUserByName(RootName)
		if errors.Is(err, meta.ErrNotFound) {
			u = meta.User{ID: NewUserID(), Name: RootName, DisplayName: RootName, Created: now}
			if err := tx.CreateUser(u); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		keys, err := tx.ListAccessKeys(u.ID)
		if err != nil {
			return err
		}
		have := false
		for _, k := range keys {
			if k.AccessKey == accessKey && k.SecretKey == secretKey {
				have = true
				continue
			}
			if err := tx.DeleteAccessKey(k.AccessKey); err != nil {
				return err
			}
		}
		if have {
			return nil
		}
		return tx.CreateAccessKey(meta.AccessKey{AccessKey: accessKey, SecretKey: secretKey, UserID: u.ID, Created: now})
	})
	if errors.Is(err, meta.ErrExists) {
		return fmt.Errorf("root access key %q is held by another user: %w", accessKey, ErrUserExists)
	}
	d.forget()
	return err
}

// ListUsers returns every user with its access key IDs.
func (d *Directory) ListUsers(ctx context.Context) ([]UserInfo, error) {
	var out []UserInfo
	err := d.meta.View(ctx, func(tx meta.ReadTx) error {
		users, err := tx.ListUsers()
		if err != nil {
			return err
		}
		out = make([]UserInfo, 0, len(users))
		for _, u := range users {
			keys, err := tx.ListAccessKeys(u.ID)
			if err != nil {
				return err
			}
			info := UserInfo{User: u}
			for _, k := range keys {
				info.AccessKeys = append(info.AccessKeys, k.AccessKey)
			}
			out = append(out, info)
		}
		return nil
	})
	return out, err
}

// RemoveUser deletes a user and its keys. A user that still owns buckets is
// refused, so no bucket is ever left without an owner.
func (d *Directory) RemoveUser(ctx context.Context, name string) error {
	err := d.meta.Update(ctx, func(tx meta.Tx) error {
		u, err := tx.GetUserByName(name)
		if err != nil {
			return err
		}
		buckets, err := tx.ListBuckets(u.ID)
		if err != nil {
			return err
		}
		if len(buckets) > 0 {
			return fmt.Errorf("user %q owns %d bucket(s): %w", name, len(buckets), ErrUserHasBuckets)
		}
		return tx.DeleteUser(u.ID)
	})
	if errors.Is(err, meta.ErrNotFound) {
		return fmt.Errorf("user %q: %w", name, ErrUnknownUser)
	}
	d.forget()
	return err
}

func (d *Directory) forget() {
	d.mu.Lock()
	clear(d.cache)
	d.mu.Unlock()
}

func validateName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("user name %q: %w", name, ErrInvalidName)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.@+=,", r)) {
			return fmt.Errorf("user name %q: %w", name, ErrInvalidName)
		}
	}
	return nil
}

// validateKeyPair keeps keys printable and of sane length: they travel in
// headers and query strings, and SigV4 parses the access key out of a
// slash-separated scope.
func validateKeyPair(accessKey, secretKey string) error {
	if len(accessKey) < 3 || len(accessKey) > 128 || len(secretKey) < 8 || len(secretKey) > 128 {
		return fmt.Errorf("access key must be 3-128 and secret 8-128 characters: %w", ErrInvalidName)
	}
	for _, r := range accessKey {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return fmt.Errorf("access key %q: %w", accessKey, ErrInvalidName)
		}
	}
	for _, r := range secretKey {
		if r <= ' ' || r > '~' {
			return fmt.Errorf("secret key contains a non-printable character: %w", ErrInvalidName)
		}
	}
	return nil
}
