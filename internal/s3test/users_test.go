package s3test_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
)

// bucketNames lists a client's buckets and owner.
func bucketNames(t *testing.T, c *s3.Client) ([]string, *types.Owner) {
	t.Helper()
	out, err := c.ListBuckets(bg, &s3.ListBucketsInput{})
	mustOK(t, err, "ListBuckets")
	var names []string
	for _, b := range out.Buckets {
		names = append(names, aws.ToString(b.Name))
	}
	return names, out.Owner
}

func TestUsers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	aliceKeys := f.srv.AddUser(t, "alice")
	bobKeys := f.srv.AddUser(t, "bob")
	alice, bob := f.srv.AWS(t, aliceKeys), f.srv.AWS(t, bobKeys)
	bobMinio := f.srv.Minio(t, bobKeys)
	bobRaw := f.raw.as(bobKeys)

	ab := "alice-" + randomHex(4)
	bb := "bob-" + randomHex(4)
	_, err := alice.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String(ab)})
	mustOK(t, err, "alice CreateBucket")
	mustOK(t, f.srv.Minio(t, bobKeys).MakeBucket(bg, bb, minio.MakeBucketOptions{}), "bob MakeBucket")
	_, err = alice.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(ab), Key: aws.String("secret"), Body: strings.NewReader("alice's")})
	mustOK(t, err, "alice PutObject")
	_, err = bob.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(bb), Key: aws.String("mine"), Body: strings.NewReader("bob's")})
	mustOK(t, err, "bob PutObject")
	rootBucket := f.bucket(t)

	t.Run("ListBucketsIsolation", func(t *testing.T) {
		an, ao := bucketNames(t, alice)
		bn, bo := bucketNames(t, bob)
		rn, ro := bucketNames(t, f.aws)
		if !slices.Equal(an, []string{ab}) || !slices.Equal(bn, []string{bb}) {
			t.Errorf("alice sees %q, bob sees %q", an, bn)
		}
		if slices.Contains(rn, ab) || slices.Contains(rn, bb) || !slices.Contains(rn, rootBucket) {
			t.Errorf("root sees %q", rn)
		}
		if aws.ToString(ao.DisplayName) != "alice" || aws.ToString(bo.DisplayName) != "bob" {
			t.Errorf("display names %q %q", aws.ToString(ao.DisplayName), aws.ToString(bo.DisplayName))
		}
		ids := []string{aws.ToString(ao.ID), aws.ToString(bo.ID), aws.ToString(ro.ID)}
		if ids[0] == "" || ids[0] == ids[1] || ids[0] == ids[2] || ids[1] == ids[2] {
			t.Errorf("owner IDs %q", ids)
		}
		infos, err := bobMinio.ListBuckets(bg)
		mustOK(t, err, "minio ListBuckets")
		if len(infos) != 1 || infos[0].Name != bb {
			t.Errorf("bob via minio sees %+v", infos)
		}
		// The listing's objects belong to their bucket's owner.
		out, err := alice.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String(ab), FetchOwner: aws.Bool(true)})
		mustOK(t, err, "alice ListObjectsV2")
		if len(out.Contents) != 1 || aws.ToString(out.Contents[0].Owner.ID) != ids[0] {
			t.Errorf("alice's object owner %+v", out.Contents)
		}
	})

	t.Run("BucketAlreadyExists", func(t *testing.T) {
		_, err := bob.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String(ab)})
		wantAWSError(t, err, "BucketAlreadyExists", http.StatusConflict)
		err = bobMinio.MakeBucket(bg, ab, minio.MakeBucketOptions{})
		wantMinioError(t, err, "BucketAlreadyExists", http.StatusConflict)
		_, err = alice.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String(ab)})
		wantAWSError(t, err, "BucketAlreadyOwnedByYou", http.StatusConflict)
		_, err = f.aws.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String(bb)})
		wantAWSError(t, err, "BucketAlreadyExists", http.StatusConflict)
	})

	t.Run("AccessDenied", func(t *testing.T) {
		denied := func(what string, err error) {
			t.Helper()
			if err == nil {
				t.Errorf("%s: bob got in", what)
				return
			}
			wantAWSError(t, err, "AccessDenied", http.StatusForbidden)
		}
		_, err := bob.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String(ab)})
		wantAWSError(t, err, "", http.StatusForbidden)
		_, err = bob.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String(ab)})
		denied("ListObjectsV2", err)
		_, err = bob.ListObjects(bg, &s3.ListObjectsInput{Bucket: aws.String(ab)})
		denied("ListObjects", err)
		_, err = bob.GetBucketLocation(bg, &s3.GetBucketLocationInput{Bucket: aws.String(ab)})
		denied("GetBucketLocation", err)
		_, err = bob.DeleteBucket(bg, &s3.DeleteBucketInput{Bucket: aws.String(ab)})
		denied("DeleteBucket", err)
		_, err = bob.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(ab), Key: aws.String("secret")})
		denied("GetObject", err)
		_, err = bob.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(ab), Key: aws.String("secret")})
		wantAWSError(t, err, "", http.StatusForbidden)
		_, err = bob.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(ab), Key: aws.String("intruder"), Body: strings.NewReader("x")})
		denied("PutObject", err)
		_, err = bob.DeleteObject(bg, &s3.DeleteObjectInput{Bucket: aws.String(ab), Key: aws.String("secret")})
		denied("DeleteObject", err)
		_, err = bob.DeleteObjects(bg, &s3.DeleteObjectsInput{Bucket: aws.String(ab), Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("secret")}}}})
		denied("DeleteObjects", err)
		_, err = bob.GetObjectTagging(bg, &s3.GetObjectTaggingInput{Bucket: aws.String(ab), Key: aws.String("secret")})
		denied("GetObjectTagging", err)
		_, err = bob.PutObjectTagging(bg, &s3.PutObjectTaggingInput{Bucket: aws.String(ab), Key: aws.String("secret"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
		denied("PutObjectTagging", err)
		_, err = bob.DeleteObjectTagging(bg, &s3.DeleteObjectTaggingInput{Bucket: aws.String(ab), Key: aws.String("secret")})
		denied("DeleteObjectTagging", err)
		// Copying out of or into alice's bucket.
		_, err = bob.CopyObject(bg, &s3.CopyObjectInput{Bucket: aws.String(bb), Key: aws.String("stolen"), CopySource: aws.String(ab + "/secret")})
		denied("CopyObject out", err)
		_, err = bob.CopyObject(bg, &s3.CopyObjectInput{Bucket: aws.String(ab), Key: aws.String("planted"), CopySource: aws.String(bb + "/mine")})
		denied("CopyObject in", err)
		// A missing key in someone else's bucket is AccessDenied, not NoSuchKey.
		_, err = bob.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(ab), Key: aws.String("absent")})
		denied("GetObject absent", err)

		_, err = bobMinio.GetObjectACL(bg, ab, "secret")
		if err == nil {
			t.Error("minio GetObjectACL on alice's object succeeded")
		}
		_, err = bobMinio.StatObject(bg, ab, "secret", minio.StatObjectOptions{})
		wantMinioError(t, err, "", http.StatusForbidden)
		err = bobMinio.RemoveObject(bg, ab, "secret", minio.RemoveObjectOptions{})
		wantMinioError(t, err, "AccessDenied", http.StatusForbidden)
		_, err = bobMinio.PutObject(bg, ab, "intruder", strings.NewReader("streamed"), 8, minio.PutObjectOptions{})
		wantMinioError(t, err, "AccessDenied", http.StatusForbidden)
		for o := range bobMinio.ListObjects(bg, ab, minio.ListObjectsOptions{}) {
			if minio.ToErrorResponse(o.Err).Code != "AccessDenied" {
				t.Errorf("minio ListObjects: %+v", o)
			}
		}
		d := bobRaw.do(t, rawRequest{method: http.MethodGet, path: objectPath(ab, "secret")}).wantError(t, "AccessDenied", http.StatusForbidden)
		if d.Resource != "/"+ab+"/secret" {
			t.Errorf("Resource %q", d.Resource)
		}

		// Nothing changed.
		out, err := alice.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(ab), Key: aws.String("secret")})
		mustOK(t, err, "alice GetObject")
		out.Body.Close()
		l, err := alice.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String(ab)})
		mustOK(t, err, "alice ListObjectsV2")
		if len(l.Contents) != 1 {
			t.Errorf("alice's bucket now holds %d objects", len(l.Contents))
		}
		// And root has no special access to users' buckets either.
		_, err = f.aws.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(ab), Key: aws.String("secret")})
		denied("root GetObject", err)
	})

	t.Run("OwnBucketsWork", func(t *testing.T) {
		_, err := bob.CopyObject(bg, &s3.CopyObjectInput{Bucket: aws.String(bb), Key: aws.String("copy"), CopySource: aws.String(bb + "/mine")})
		mustOK(t, err, "bob CopyObject within his bucket")
		_, err = bob.DeleteObjects(bg, &s3.DeleteObjectsInput{Bucket: aws.String(bb), Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("copy")}, {Key: aws.String("mine")}}}})
		mustOK(t, err, "bob DeleteObjects")
		_, err = bob.DeleteBucket(bg, &s3.DeleteBucketInput{Bucket: aws.String(bb)})
		mustOK(t, err, "bob DeleteBucket")
		// The name is free again, for anyone.
		_, err = alice.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String(bb)})
		mustOK(t, err, "alice takes the freed name")
	})
}
