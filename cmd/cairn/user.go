package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/cairn-s3/cairn/internal/iam"
	"github.com/cairn-s3/cairn/internal/server"
)

type userCmd struct {
	Data string `help:"Data directory." default:"./data" env:"CAIRN_DATA" type:"path"`

	Add    userAddCmd    `cmd:"" help:"Add a user with an access key."`
	List   userListCmd   `cmd:"" help:"List users and their access keys."`
	Remove userRemoveCmd `cmd:"" help:"Remove a user and its keys (refused while it owns buckets)."`
}

type userAddCmd struct {
	Name      string `help:"User name." required:""`
	AccessKey string `help:"Access key ID (default: generated)."`
	SecretKey string `help:"Secret key (default: generated)."`
}

type userListCmd struct{}

type userRemoveCmd struct {
	Name string `help:"User name." required:""`
}

// directory opens the data directory's metadata store for user management.
// It works while a server runs on the same directory: the change is visible
// to it within its identity cache TTL.
func (c *userCmd) directory(ctx context.Context) (*iam.Directory, func(), error) {
	store, err := server.OpenMeta(ctx, c.Data, server.Config{})
	if err != nil {
		return nil, nil, err
	}
	return iam.NewDirectory(store, 0), func() { store.Close() }, nil
}

func (a *userAddCmd) Run(ctx context.Context, parent *userCmd) error {
	d, done, err := parent.directory(ctx)
	if err != nil {
		return err
	}
	defer done()
	k, err := d.AddUser(ctx, a.Name, a.AccessKey, a.SecretKey)
	if err != nil {
		return err
	}
	fmt.Printf("added user %s\n  access key: %s\n  secret key: %s\n", a.Name, k.AccessKey, k.SecretKey)
	return nil
}

func (l *userListCmd) Run(ctx context.Context, parent *userCmd) error {
	d, done, err := parent.directory(ctx)
	if err != nil {
		return err
	}
	defer done()
	users, err := d.ListUsers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tID\tACCESS KEYS")
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Name, u.ID, strings.Join(u.AccessKeys, ","))
	}
	return tw.Flush()
}

func (r *userRemoveCmd) Run(ctx context.Context, parent *userCmd) error {
	if r.Name == iam.RootName {
		return fmt.Errorf("the root user cannot be removed")
	}
	d, done, err := parent.directory(ctx)
	if err != nil {
		return err
	}
	defer done()
	if err := d.RemoveUser(ctx, r.Name); err != nil {
		return err
	}
	fmt.Printf("removed user %s\n", r.Name)
	return nil
}
