package main

import (
	"context"
	"fmt"

	"github.com/cairn-s3/cairn/internal/server"
)

type gcCmd struct {
	Data string `help:"Data directory." default:"./data" env:"CAIRN_DATA" type:"path"`
}

// Run collects garbage offline: the same pass a server makes at start-up.
func (c *gcCmd) Run(ctx context.Context) error {
	st, err := server.CollectOffline(ctx, server.Config{DataDir: c.Data})
	if err != nil {
		return err
	}
	fmt.Printf("released %d extents, deleted %d blobs and %d orphans\n", st.ExtentsReleased, st.BlobsDeleted, st.OrphansDeleted)
	return nil
}
