package s3test_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cairn-s3/cairn/internal/blob/memblob"
	"github.com/cairn-s3/cairn/internal/object"
	"github.com/cairn-s3/cairn/internal/s3test"
	"github.com/cairn-s3/cairn/internal/server"
)

func abortRule(id, prefix string, days int32, enabled bool) types.LifecycleRule {
	status := types.ExpirationStatusEnabled
	if !enabled {
		status = types.ExpirationStatusDisabled
	}
	return types.LifecycleRule{
		ID: aws.String(id), Status: status, Filter: &types.LifecycleRuleFilter{Prefix: aws.String(prefix)},
		AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(days)},
	}
}

func (f *fixture) putLifecycle(t *testing.T, bucket string, rules ...types.LifecycleRule) {
	t.Helper()
	_, err := f.aws.PutBucketLifecycleConfiguration(bg, &s3.PutBucketLifecycleConfigurationInput{
		Bucket: aws.String(bucket), LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules},
	})
	mustOK(t, err, "PutBucketLifecycleConfiguration")
}

// expectedAbortDate is when a rule of days aborts an upload initiated at
// t: S3 rounds initiation + days up to the next midnight UTC.
func expectedAbortDate(t time.Time, days int) time.Time {
	d := t.UTC().AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
}

// TestBucketLifecycleAbortIncomplete sets, reads and deletes a lifecycle
// configuration with AbortIncompleteMultipartUpload rules through the AWS
// SDK, and checks the abort date and rule that Create and ListParts report.
func TestBucketLifecycleAbortIncomplete(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	_, err := f.aws.GetBucketLifecycleConfiguration(bg, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(b)})
	wantAWSError(t, err, "NoSuchLifecycleConfiguration", http.StatusNotFound)

	rules := []types.LifecycleRule{
		abortRule("abort-tmp", "tmp/", 2, true),
		abortRule("abort-all", "", 7, true),
		abortRule("off", "tmp/", 1, false),
	}
	f.putLifecycle(t, b, rules...)
	got, err := f.aws.GetBucketLifecycleConfiguration(bg, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(b)})
	mustOK(t, err, "GetBucketLifecycleConfiguration")
	if len(got.Rules) != len(rules) {
		t.Fatalf("%d rules back, want %d", len(got.Rules), len(rules))
	}
	for i, r := range got.Rules {
		w := rules[i]
		if aws.ToString(r.ID) != aws.ToString(w.ID) || r.Status != w.Status || r.Filter == nil || aws.ToString(r.Filter.Prefix) != aws.ToString(w.Filter.Prefix) ||
			r.AbortIncompleteMultipartUpload == nil || aws.ToInt32(r.AbortIncompleteMultipartUpload.DaysAfterInitiation) != aws.ToInt32(w.AbortIncompleteMultipartUpload.DaysAfterInitiation) {
			t.Errorf("rule %d: %+v", i, r)
		}
	}

	// The earliest enabled matching rule names the abort date.
	for _, c := range []struct {
		key, rule string
		days      int
	}{{"tmp/x", "abort-tmp", 2}, {"keep/y", "abort-all", 7}} {
		out, err := f.aws.CreateMultipartUpload(bg, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(c.key)})
		mustOK(t, err, "CreateMultipartUpload")
		ups, err := f.aws.ListMultipartUploads(bg, &s3.ListMultipartUploadsInput{Bucket: aws.String(b), Prefix: aws.String(c.key)})
		mustOK(t, err, "ListMultipartUploads")
		if len(ups.Uploads) != 1 {
			t.Fatalf("%d uploads of %s", len(ups.Uploads), c.key)
		}
		want := expectedAbortDate(aws.ToTime(ups.Uploads[0].Initiated), c.days)
		if aws.ToString(out.AbortRuleId) != c.rule || !aws.ToTime(out.AbortDate).Equal(want) {
			t.Errorf("%s: abort %v by %q, want %v by %s", c.key, aws.ToTime(out.AbortDate), aws.ToString(out.AbortRuleId), want, c.rule)
		}
		lp, err := f.aws.ListParts(bg, &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String(c.key), UploadId: out.UploadId})
		mustOK(t, err, "ListParts")
		if aws.ToString(lp.AbortRuleId) != c.rule || !aws.ToTime(lp.AbortDate).Equal(want) {
			t.Errorf("%s: ListParts abort %v by %q", c.key, aws.ToTime(lp.AbortDate), aws.ToString(lp.AbortRuleId))
		}
	}

	// Refused configurations.
	for _, c := range []struct {
		body, code string
		status     int
	}{
		{`<LifecycleConfiguration><Rule><ID>z</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>`, "InvalidArgument", http.StatusBadRequest},
		{`<LifecycleConfiguration></LifecycleConfiguration>`, "MalformedXML", http.StatusBadRequest},
		{`<LifecycleConfiguration><Rule><Filter><Prefix></Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>`, "NotImplemented", http.StatusNotImplemented},
	} {
		f.raw.do(t, rawRequest{method: http.MethodPut, path: "/" + b, query: "lifecycle", body: []byte(c.body), header: hdr("Content-MD5", md5Base64([]byte(c.body)))}).
			wantError(t, c.code, c.status)
	}

	_, err = f.aws.DeleteBucketLifecycle(bg, &s3.DeleteBucketLifecycleInput{Bucket: aws.String(b)})
	mustOK(t, err, "DeleteBucketLifecycle")
	_, err = f.aws.GetBucketLifecycleConfiguration(bg, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(b)})
	wantAWSError(t, err, "NoSuchLifecycleConfiguration", http.StatusNotFound)
	out, err := f.aws.CreateMultipartUpload(bg, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("tmp/after")})
	mustOK(t, err, "CreateMultipartUpload")
	if out.AbortDate != nil || out.AbortRuleId != nil {
		t.Errorf("abort %v %q without a configuration", out.AbortDate, aws.ToString(out.AbortRuleId))
	}
}

// sweepAt runs one upload sweep over the server's metadata as if the clock
// read now+ahead, with the given idle expiry: a second service on the same
// store, since the server's clock cannot be moved.
func sweepAt(t *testing.T, srv *s3test.Server, ahead, idle time.Duration) object.SweepStats {
	t.Helper()
	store, err := server.OpenMeta(bg, srv.DataDir, server.Config{})
	mustOK(t, err, "open metadata")
	defer store.Close()
	svc := object.New(object.Config{Now: func() time.Time { return time.Now().Add(ahead) }, UploadIdleExpiry: idle}, store, memblob.New())
	st, err := svc.SweepUploads(bg)
	mustOK(t, err, "SweepUploads")
	return st
}

// uploadKeys lists the keys of a bucket's uploads in progress.
func (f *fixture) uploadKeys(t *testing.T, bucket string) []string {
	t.Helper()
	var keys []string
	for _, u := range f.listUploads(t, bucket, map[string][]string{}).Uploads {
		keys = append(keys, u.Key)
	}
	return keys
}

// TestUploadSweeper checks that the sweeper aborts the uploads a lifecycle
// rule has condemned, only them, and that their parts are then collected.
func TestUploadSweeper(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, quietGC())
	b := f.bucket(t)
	f.putLifecycle(t, b, abortRule("tmp", "tmp/", 2, true), abortRule("off", "keep/", 1, false))
	f.createUpload(t, b, "tmp/a", nil)
	idB, _ := f.createUpload(t, b, "tmp/b", nil)
	f.mustUploadPart(t, b, "tmp/b", idB, 1, payload(1000), nil)
	f.createUpload(t, b, "keep/c", nil)
	blobs := countBlobFiles(t, f.srv.DataDir)

	if st := sweepAt(t, f.srv, 0, 0); st.Aborted != 0 {
		t.Errorf("a sweep now aborted %d uploads", st.Aborted)
	}
	// A day later nothing is due yet: the rule says two.
	if st := sweepAt(t, f.srv, 24*time.Hour, 0); st.Aborted != 0 {
		t.Errorf("a sweep a day later aborted %d uploads", st.Aborted)
	}
	if st := sweepAt(t, f.srv, 72*time.Hour, 0); st.Aborted != 2 {
		t.Errorf("a sweep three days later aborted %d uploads, want 2", st.Aborted)
	}
	if keys := f.uploadKeys(t, b); !slices.Equal(keys, []string{"keep/c"}) {
		t.Errorf("uploads left %q, want only keep/c", keys)
	}
	f.uploadPart(t, b, "tmp/b", idB, 2, []byte("late"), nil).wantError(t, "NoSuchUpload", http.StatusNotFound)
	f.collect(t)
	if n := countBlobFiles(t, f.srv.DataDir); n != blobs-1 {
		t.Errorf("%d blob files after collecting the aborted part, want %d", n, blobs-1)
	}
	// No idle expiry, zero or negative, means none, however late it is.
	for _, idle := range []time.Duration{0, -time.Hour} {
		if st := sweepAt(t, f.srv, 1000*time.Hour, idle); st.Aborted != 0 {
			t.Errorf("idle expiry %v aborted %d uploads", idle, st.Aborted)
		}
	}
	if st := sweepAt(t, f.srv, 2*time.Hour, time.Hour); st.Aborted != 1 {
		t.Errorf("an idle expiry of an hour, two hours on, aborted %d uploads, want 1", st.Aborted)
	}
}

// TestUploadIdleExpiry runs a server whose background sweeper aborts
// uploads idle for longer than UploadIdleExpiry, and only those: a part
// upload counts as activity.
func TestUploadIdleExpiry(t *testing.T) {
	t.Parallel()
	const idle = 2 * time.Second
	f := newFixtureWith(t, s3test.WithConfig(func(c *server.Config) {
		c.UploadIdleExpiry, c.UploadSweepInterval = idle, 100*time.Millisecond
	}))
	b := f.bucket(t)
	idle1, _ := f.createUpload(t, b, "idle", nil)
	busy, _ := f.createUpload(t, b, "busy", nil)
	deadline := time.Now().Add(idle + 10*time.Second)
	for n := 1; ; n++ {
		// Keep one upload busy, well within the expiry.
		f.mustUploadPart(t, b, "busy", busy, n, []byte("x"), nil)
		resp := f.raw.do(t, rawRequest{method: http.MethodGet, path: objectPath(b, "idle"), query: uploadQuery(idle1)})
		if resp.status == http.StatusNotFound {
			resp.wantError(t, "NoSuchUpload", http.StatusNotFound)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the idle upload was never aborted")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if keys := f.uploadKeys(t, b); !slices.Equal(keys, []string{"busy"}) {
		t.Errorf("uploads left %q, want the busy one", keys)
	}
}
