package crashtest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// uploadCheck checks the uploads after a restart, on a server that carries
// no other traffic.
type uploadCheck struct {
	t        *testing.T
	ctx      context.Context
	client   *s3.Client
	bucket   string
	reg      *uploads
	parts    *ledger
	contents *contents
	// observed is every key's state as read after the restart; a Complete
	// retried now changes it.
	observed map[string]state
	// seen collects the parts of the uploads found intact.
	seen  map[string]state
	stats uploadStats
}

// uploadStats counts how the uploads of a round were found after the
// restart, to show which cases a run covered.
type uploadStats struct {
	Open, Ended               int // intact as expected; gone as expected
	EndsHappened, EndsUndone  int // Completes and Aborts in flight at the kill
	Adopted, StrangersAborted int // made by creates in flight
	PartsLanded, PartsLost    int // parts in flight at the kill, of intact uploads
}

func (s *uploadStats) add(o uploadStats) {
	s.Open += o.Open
	s.Ended += o.Ended
	s.EndsHappened += o.EndsHappened
	s.EndsUndone += o.EndsUndone
	s.Adopted += o.Adopted
	s.StrangersAborted += o.StrangersAborted
	s.PartsLanded += o.PartsLanded
	s.PartsLost += o.PartsLost
}

func (s uploadStats) String() string {
	return fmt.Sprintf("uploads: %d open, %d ended; in flight at the kill: %d parts landed, %d did not, %d Completes or Aborts happened, %d did not, %d creates made uploads (adopted %d)",
		s.Open, s.Ended, s.PartsLanded, s.PartsLost, s.EndsHappened, s.EndsUndone, s.Adopted+s.StrangersAborted, s.Adopted)
}

// verifyUploads checks the uploads against what the round did and settles
// those whose Complete or Abort was in flight at the kill:
//
//   - an upload never completed nor aborted is listed, and ListParts shows
//     an acceptable state for every part number;
//   - an upload whose Complete or Abort was acknowledged is gone: not
//     listed, and ListParts answers NoSuchUpload; a Complete sent again
//     with the same part list answers 200 with the same ETag;
//   - an upload whose Complete or Abort was in flight is either intact (as
//     above; a Complete is then sent again and must succeed now) or gone
//     (as above);
//   - an upload nobody knows is listed only for a key whose create was in
//     flight, and has no parts.
//
// It updates observed for the keys that a retried Complete wrote and
// returns the state of every part of every upload left open.
func verifyUploads(t *testing.T, client *s3.Client, bucket string, reg *uploads, parts *ledger, c *contents, observed map[string]state) (map[string]state, uploadStats) {
	t.Helper()
	uc := &uploadCheck{t: t, ctx: context.Background(), client: client, bucket: bucket,
		reg: reg, parts: parts, contents: c, observed: observed, seen: map[string]state{}}
	listed, err := uc.listUploads()
	if err != nil {
		t.Errorf("ListMultipartUploads after restart: %v", err)
		return nil, uc.stats
	}
	live, creates, ended := reg.round()
	known := map[string]bool{}
	for _, u := range live {
		known[u.ID] = true
		uc.settle(u, listed)
	}
	for _, u := range ended {
		known[u.ID] = true
		uc.checkEnded(u, listed)
	}
	uc.checkStrangers(listed, known, creates)
	return uc.seen, uc.stats
}

// listUploads lists the bucket's uploads three per page, so that the key
// and upload ID markers are exercised: upload ID to key.
func (uc *uploadCheck) listUploads() (map[string]string, error) {
	listed := map[string]string{}
	pages := s3.NewListMultipartUploadsPaginator(uc.client, &s3.ListMultipartUploadsInput{Bucket: &uc.bucket, MaxUploads: aws.Int32(3)})
	last := ""
	for pages.HasMorePages() {
		page, err := pages.NextPage(uc.ctx)
		if err != nil {
			return nil, err
		}
		for _, u := range page.Uploads {
			id, key := aws.ToString(u.UploadId), aws.ToString(u.Key)
			if _, dup := listed[id]; dup {
				uc.t.Errorf("ListMultipartUploads lists upload %s twice", id)
			}
			if key < last {
				uc.t.Errorf("ListMultipartUploads lists upload %s of %s after an upload of %s", id, key, last)
			}
			listed[id], last = key, key
		}
	}
	return listed, nil
}

// settle checks an upload that was open or ending at the kill.
func (uc *uploadCheck) settle(u *upload, listed map[string]string) {
	t := uc.t
	key, isListed := listed[u.ID]
	if isListed && key != u.Key {
		t.Errorf("ListMultipartUploads lists %s under key %s", u, key)
	}
	status, end := uc.reg.endingOf(u)
	switch {
	case status == uploadOpen:
		if !isListed {
			t.Errorf("%s was never completed nor aborted, but ListMultipartUploads omits it after restart", u)
			return
		}
		uc.checkIntact(u)
		uc.stats.Open++
	case !isListed:
		// The Complete or Abort in flight happened.
		uc.checkGone(u, end)
		uc.reg.finish(u)
		uc.stats.EndsHappened++
	case end.Kind == "abort":
		// It did not happen: the upload goes on.
		uc.checkIntact(u)
		uc.reg.reopen(u)
		uc.stats.EndsUndone++
	default:
		uc.stats.EndsUndone++
		// The Complete did not happen: the key cannot hold its body, and
		// the upload must complete now.
		uc.checkIntact(u)
		if uc.observed[u.Key] == present(u.Label) {
			t.Errorf("key %s holds the body of %s, but the upload is still listed after restart", u.Key, u)
		}
		if err := uc.completeAgain(u, end); err != nil {
			t.Errorf("Complete of %s, in flight at the kill and the upload intact, sent again after restart: %v", u, err)
		} else {
			uc.observed[u.Key] = present(u.Label)
		}
		for n := 1; n <= maxPartNumber; n++ {
			delete(uc.seen, partKey(u.ID, n))
		}
		uc.reg.finish(u)
	}
}

// checkEnded checks an upload whose Complete or Abort was acknowledged.
func (uc *uploadCheck) checkEnded(u *upload, listed map[string]string) {
	if _, ok := listed[u.ID]; ok {
		uc.t.Errorf("%s: its %s was acknowledged, but ListMultipartUploads lists it after restart", u, u.end.Kind)
	}
	uc.checkGone(u, u.end)
	uc.stats.Ended++
}

// checkIntact checks that ListParts shows an acceptable state for every
// part of u, and notes the states.
func (uc *uploadCheck) checkIntact(u *upload) {
	listed, err := listParts(uc.ctx, uc.client, uc.bucket, u)
	if err != nil {
		uc.t.Errorf("ListParts of %s after restart: %v", u, err)
		return
	}
	seen, problems := checkParts(u, listed, uc.parts, uc.contents)
	for _, p := range problems {
		uc.t.Errorf("after restart: %s", p)
	}
	maps.Copy(uc.seen, seen)
	for n := 1; n <= maxPartNumber; n++ {
		k := partKey(u.ID, n)
		cut, left := uc.parts.cutShort(k, seen[k])
		uc.stats.PartsLanded += left
		uc.stats.PartsLost += cut - left
	}
}

// checkGone checks that a completed or aborted upload answers NoSuchUpload
// to ListParts, and that a completed one replays its Complete and an
// aborted one answers NoSuchUpload to Abort.
func (uc *uploadCheck) checkGone(u *upload, end *ending) {
	t := uc.t
	if _, err := listParts(uc.ctx, uc.client, uc.bucket, u); !hasCode(err, "NoSuchUpload") {
		t.Errorf("ListParts of %s, %s, after restart: got %v, want NoSuchUpload", u, endedHow(end), err)
	}
	if end.Kind == "complete" {
		if err := uc.completeAgain(u, end); err != nil {
			t.Errorf("Complete of %s, %s, sent again after restart: %v", u, endedHow(end), err)
		}
		return
	}
	_, err := uc.client.AbortMultipartUpload(uc.ctx, &s3.AbortMultipartUploadInput{Bucket: &uc.bucket, Key: &u.Key, UploadId: &u.ID})
	if !hasCode(err, "NoSuchUpload") {
		t.Errorf("Abort of %s, %s, sent again after restart: got %v, want NoSuchUpload", u, endedHow(end), err)
	}
}

func endedHow(e *ending) string {
	if e.Acked {
		return e.Kind + " acknowledged"
	}
	return e.Kind + " in flight at the kill and the upload gone"
}

// completeAgain sends u's Complete again; it must answer its ETag.
func (uc *uploadCheck) completeAgain(u *upload, e *ending) error {
	out, err := uc.client.CompleteMultipartUpload(uc.ctx, completeInput(uc.bucket, u, e.Parts))
	if err != nil {
		return err
	}
	if got := unquote(out.ETag); got != e.ETag {
		return fmt.Errorf("ETag %q, want %q", got, e.ETag)
	}
	return nil
}

// checkStrangers checks the listed uploads the test does not know: each
// must be the work of a create in flight at the kill, on the same key, and
// have no parts. A stranger is adopted when exactly one create could have
// made it, so that its label is known; otherwise it is aborted.
func (uc *uploadCheck) checkStrangers(listed map[string]string, known map[string]bool, creates []*pendingCreate) {
	t := uc.t
	byKey := map[string][]string{}
	for id, key := range listed {
		if !known[id] {
			byKey[key] = append(byKey[key], id)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(byKey)) {
		ids := byKey[key]
		slices.Sort(ids)
		var cands []*pendingCreate
		for _, pc := range creates {
			if pc.Key == key {
				cands = append(cands, pc)
			}
		}
		if len(ids) > len(cands) {
			t.Errorf("ListMultipartUploads lists %d uploads of %s the test never made, %v; %d creates of the key were in flight at the kill", len(ids), key, ids, len(cands))
			continue
		}
		for _, id := range ids {
			stranger := &upload{ID: id, Key: key}
			parts, err := listParts(uc.ctx, uc.client, uc.bucket, stranger)
			switch {
			case err != nil:
				t.Errorf("ListParts of %s, made by a create in flight at the kill: %v", stranger, err)
				continue
			case len(parts) > 0:
				t.Errorf("%s, made by a create in flight at the kill, has %d parts", stranger, len(parts))
			}
			if len(ids) == 1 && len(cands) == 1 {
				uc.reg.adopt(cands[0], id)
				uc.stats.Adopted++
				continue
			}
			uc.stats.StrangersAborted++
			if _, err := uc.client.AbortMultipartUpload(uc.ctx, &s3.AbortMultipartUploadInput{Bucket: &uc.bucket, Key: &key, UploadId: &id}); err != nil {
				t.Errorf("Abort of %s, made by a create in flight at the kill: %v", stranger, err)
			}
		}
	}
}

// completeAll completes every open upload with all the parts it may
// name, or aborts it if there are none, recording the Completes in the key ledger. It is the
// last check that uploads survive restarts and collection: their parts are
// then read back as objects.
func completeAll(t *testing.T, client *s3.Client, bucket string, reg *uploads, l, parts *ledger, c *contents) (completed, aborted int) {
	t.Helper()
	ctx := context.Background()
	live, _, _ := reg.round()
	for _, u := range live {
		listed, err := listParts(ctx, client, bucket, u)
		if err != nil {
			t.Errorf("ListParts of %s before completing it: %v", u, err)
			continue
		}
		if _, problems := checkParts(u, listed, parts, c); len(problems) > 0 {
			for _, p := range problems {
				t.Error(p)
			}
			continue
		}
		listed = completable(u, listed)
		if len(listed) == 0 {
			reg.beginEnd(u, &ending{Kind: "abort"})
			if _, err := client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &bucket, Key: &u.Key, UploadId: &u.ID}); err != nil {
				t.Errorf("Abort of %s: %v", u, err)
				continue
			}
			reg.finish(u)
			aborted++
			continue
		}
		ps, leaves := completedParts(u, listed, c)
		e := &ending{Kind: "complete", Parts: ps, ETag: c.compose(u.Label, leaves)}
		w := l.begin("complete", u.Key, fmt.Sprintf("of %s with %s", u, describeParts(ps)), fixed(present(u.Label)))
		reg.beginEnd(u, e)
		out, err := client.CompleteMultipartUpload(ctx, completeInput(bucket, u, ps))
		if err != nil {
			t.Errorf("Complete of %s: %v", u, err)
			continue
		}
		if got := unquote(out.ETag); got != e.ETag {
			t.Errorf("Complete of %s: ETag %q, want %q", u, got, e.ETag)
		}
		l.acknowledge(w, present(u.Label))
		reg.finish(u)
		completed++
	}
	return completed, aborted
}
