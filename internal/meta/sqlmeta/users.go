package sqlmeta

import (
	"database/sql"
	"fmt"

	"github.com/cairn-s3/cairn/internal/meta"
)

// GetUser implements meta.ReadTx.
func (r *reader) GetUser(id string) (meta.User, error) {
	return r.getUser(qUserGet, id)
}

// GetUserByName implements meta.ReadTx.
func (r *reader) GetUserByName(name string) (meta.User, error) {
	return r.getUser(qUserGetByName, name)
}

func (r *reader) getUser(q query, arg string) (meta.User, error) {
	if err := r.check(); err != nil {
		return meta.User{}, err
	}
	u, err := scanUser(r.c.queryRow(q, arg))
	if err != nil {
		return meta.User{}, notFound(err, "get user %q", arg)
	}
	return u, nil
}

// ListUsers implements meta.ReadTx; users come in name order.
func (r *reader) ListUsers() ([]meta.User, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	rows, err := r.c.query(qUserList)
	us, err := collect(rows, err, scanUser)
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: list users: %w", err)
	}
	return us, nil
}

// GetAccessKey implements meta.ReadTx.
func (r *reader) GetAccessKey(accessKey string) (meta.AccessKey, error) {
	if err := r.check(); err != nil {
		return meta.AccessKey{}, err
	}
	k, err := scanAccessKey(r.c.queryRow(qKeyGet, accessKey))
	if err != nil {
		return meta.AccessKey{}, notFound(err, "get access key %q", accessKey)
	}
	return k, nil
}

// ListAccessKeys implements meta.ReadTx; keys come in access key order.
func (r *reader) ListAccessKeys(userID string) ([]meta.AccessKey, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	rows, err := r.c.query(qKeyListByUser, userID)
	ks, err := collect(rows, err, scanAccessKey)
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: list access keys of %q: %w", userID, err)
	}
	return ks, nil
}

// CreateUser implements meta.Tx.
func (w *writer) CreateUser(u meta.User) error {
	if err := w.check(); err != nil {
		return err
	}
	n, err := w.c.execCount(qUserInsert, u.ID, u.Name, u.DisplayName, timeToUnix(u.Created))
	if err == nil && n == 0 {
		err = meta.ErrExists
	}
	if err != nil {
		return fmt.Errorf("sqlmeta: create user %q (%q): %w", u.ID, u.Name, err)
	}
	return nil
}

// DeleteUser implements meta.Tx; a missing user is ErrNotFound.
func (w *writer) DeleteUser(id string) error {
	if err := w.check(); err != nil {
		return err
	}
	if _, err := w.c.exec(qUserKeysDelete, id); err != nil {
		return fmt.Errorf("sqlmeta: delete keys of user %q: %w", id, err)
	}
	return w.deleteOne(qUserDelete, id, "user")
}

// CreateAccessKey implements meta.Tx.
func (w *writer) CreateAccessKey(k meta.AccessKey) error {
	if err := w.check(); err != nil {
		return err
	}
	n, err := w.c.execCount(qKeyInsert, k.AccessKey, k.SecretKey, k.UserID, timeToUnix(k.Created))
	if err == nil && n == 0 {
		err = meta.ErrExists
	}
	if err != nil {
		return fmt.Errorf("sqlmeta: create access key %q: %w", k.AccessKey, err)
	}
	return nil
}

// DeleteAccessKey implements meta.Tx; a missing key is ErrNotFound.
func (w *writer) DeleteAccessKey(accessKey string) error {
	if err := w.check(); err != nil {
		return err
	}
	return w.deleteOne(qKeyDelete, accessKey, "access key")
}

// deleteOne runs a delete by primary key and reports ErrNotFound if it
// removed nothing.
func (w *writer) deleteOne(q query, id, what string) error {
	n, err := w.c.execCount(q, id)
	if err == nil && n == 0 {
		err = meta.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("sqlmeta: delete %s %q: %w", what, id, err)
	}
	return nil
}

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

func scanUser(s rowScanner) (meta.User, error) {
	var u meta.User
	var created int64
	err := s.Scan(&u.ID, &u.Name, &u.DisplayName, &created)
	u.Created = unixToTime(created)
	return u, err
}

func scanAccessKey(s rowScanner) (meta.AccessKey, error) {
	var k meta.AccessKey
	var created int64
	err := s.Scan(&k.AccessKey, &k.SecretKey, &k.UserID, &created)
	k.Created = unixToTime(created)
	return k, err
}

// collect reads every row of a query with scan; err is the query's error,
// passed through so that callers need one check.
func collect[T any](rows *sql.Rows, err error, scan func(rowScanner) (T, error)) ([]T, error) {
	return collectSized(rows, err, 0, scan)
}

// collectSized is collect for about size rows.
func collectSized[T any](rows *sql.Rows, err error, size int, scan func(rowScanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]T, 0, size)
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
