package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cairn-s3/cairn/internal/iam"
)

// rootCredentialsFile holds generated root credentials, mode 0600.
const rootCredentialsFile = "root-credentials.json"

type rootCredentials struct {
	AccessKey string `json:"accessKey"`
	SecretKey string `json:"secretKey"`
}

// rootKeys returns root's key pair: from the configuration when given,
// else from the data directory, else freshly generated, saved with mode
// 0600 and announced once on out.
func rootKeys(dataDir, accessKey, secretKey string, out io.Writer) (string, string, error) {
	if accessKey != "" || secretKey != "" {
		if accessKey == "" || secretKey == "" {
			return "", "", errors.New("set both CAIRN_ROOT_ACCESS_KEY and CAIRN_ROOT_SECRET_KEY, or neither")
		}
		return accessKey, secretKey, nil
	}
	path := filepath.Join(dataDir, rootCredentialsFile)
	b, err := os.ReadFile(path)
	if err == nil {
		var rc rootCredentials
		if err := json.Unmarshal(b, &rc); err != nil || rc.AccessKey == "" || rc.SecretKey == "" {
			return "", "", fmt.Errorf("%s is damaged; remove it to generate new root credentials", path)
		}
		return rc.AccessKey, rc.SecretKey, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", "", err
	}
	rc := rootCredentials{}
	rc.AccessKey, rc.SecretKey = iam.NewAccessKey()
	b, _ = json.MarshalIndent(rc, "", "  ")
	if err := writeFileSync(path, append(b, '\n'), 0o600); err != nil {
		return "", "", fmt.Errorf("save root credentials: %w", err)
	}
	fmt.Fprintf(out, "Generated root credentials (saved in %s, shown only once):\n  access key: %s\n  secret key: %s\n", path, rc.AccessKey, rc.SecretKey)
	return rc.AccessKey, rc.SecretKey, nil
}

// writeFileSync writes a new file durably: temp file, fsync, rename, fsync
// the directory.
func writeFileSync(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
