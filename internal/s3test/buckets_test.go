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

// listAllMyBuckets is the ListBuckets response body.
type listAllMyBuckets struct {
	Owner struct {
		ID          string `xml:"ID"`
		DisplayName string `xml:"DisplayName"`
	} `xml:"Owner"`
	Buckets []struct {
		Name         string `xml:"Name"`
		CreationDate string `xml:"CreationDate"`
	} `xml:"Buckets>Bucket"`
}

func TestBuckets(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	t.Run("CreateHeadListDelete", func(t *testing.T) {
		t.Parallel()
		name := f.bucket(t)
		_, err := f.aws.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String(name)})
		mustOK(t, err, "HeadBucket")
		ok, err := f.minio.BucketExists(bg, name)
		if err != nil || !ok {
			t.Fatalf("minio BucketExists = %v, %v", ok, err)
		}
		out, err := f.aws.ListBuckets(bg, &s3.ListBucketsInput{})
		mustOK(t, err, "ListBuckets")
		if !slices.ContainsFunc(out.Buckets, func(b types.Bucket) bool { return aws.ToString(b.Name) == name }) {
			t.Fatalf("ListBuckets lacks %s", name)
		}
		if out.Owner == nil || aws.ToString(out.Owner.ID) == "" || aws.ToString(out.Owner.DisplayName) == "" {
			t.Fatalf("ListBuckets owner %+v", out.Owner)
		}
		infos, err := f.minio.ListBuckets(bg)
		mustOK(t, err, "minio ListBuckets")
		if !slices.ContainsFunc(infos, func(b minio.BucketInfo) bool { return b.Name == name && !b.CreationDate.IsZero() }) {
			t.Fatalf("minio ListBuckets lacks %s: %+v", name, infos)
		}
		_, err = f.aws.DeleteBucket(bg, &s3.DeleteBucketInput{Bucket: aws.String(name)})
		mustOK(t, err, "DeleteBucket")
		_, err = f.aws.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String(name)})
		wantAWSError(t, err, "", http.StatusNotFound)
		ok, err = f.minio.BucketExists(bg, name)
		if err != nil || ok {
			t.Fatalf("minio BucketExists after delete = %v, %v", ok, err)
		}
	})

	t.Run("MinioMakeAndRemove", func(t *testing.T) {
		t.Parallel()
		name := "minio-made-" + randomHex(4)
		mustOK(t, f.minio.MakeBucket(bg, name, minio.MakeBucketOptions{}), "MakeBucket")
		err := f.minio.MakeBucket(bg, name, minio.MakeBucketOptions{})
		wantMinioError(t, err, "BucketAlreadyOwnedByYou", http.StatusConflict)
		mustOK(t, f.minio.RemoveBucket(bg, name), "RemoveBucket")
		err = f.minio.RemoveBucket(bg, name)
		wantMinioError(t, err, "NoSuchBucket", http.StatusNotFound)
	})

	t.Run("AlreadyOwnedByYou", func(t *testing.T) {
		t.Parallel()
		name := f.bucket(t)
		_, err := f.aws.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String(name)})
		wantAWSError(t, err, "BucketAlreadyOwnedByYou", http.StatusConflict)
		d := f.raw.do(t, rawRequest{method: http.MethodPut, path: "/" + name}).wantError(t, "BucketAlreadyOwnedByYou", http.StatusConflict)
		if d.BucketName != name || d.Resource != "/"+name {
			t.Errorf("BucketName %q Resource %q", d.BucketName, d.Resource)
		}
	})

	t.Run("InvalidBucketName", func(t *testing.T) {
		t.Parallel()
		for _, name := range []string{
			"ab", strings.Repeat("a", 64), "Upper-Case", "under_score", "-leading", "trailing-",
			"double..dot", "dot.-dash", "192.168.5.4", "xn--punycode", "sthree-bucket", "bucket-s3alias",
			"bucket--ol-s3", "spa ce", "ünïcode",
		} {
			resp := f.raw.do(t, rawRequest{method: http.MethodPut, path: "/" + escapePath(name)})
			d := resp.wantError(t, "InvalidBucketName", http.StatusBadRequest)
			if t.Failed() {
				t.Fatalf("name %q: %+v", name, d)
			}
		}
		// The SDK sends such names as they are, path-style.
		_, err := f.aws.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("Bad_Name")})
		wantAWSError(t, err, "InvalidBucketName", http.StatusBadRequest)
		// Boundary names are fine.
		for _, name := range []string{"abc", strings.Repeat("b", 63), "a.b-c.d", "1-2-3"} {
			resp := f.raw.do(t, rawRequest{method: http.MethodPut, path: "/" + name})
			resp.wantStatus(t, http.StatusOK)
			if resp.header.Get("Location") != "/"+name {
				t.Errorf("Location %q", resp.header.Get("Location"))
			}
			f.raw.do(t, rawRequest{method: http.MethodDelete, path: "/" + name}).wantStatus(t, http.StatusNoContent)
		}
	})

	t.Run("NotEmpty", func(t *testing.T) {
		t.Parallel()
		name := f.bucket(t)
		f.put(t, name, "obj", []byte("x"))
		_, err := f.aws.DeleteBucket(bg, &s3.DeleteBucketInput{Bucket: aws.String(name)})
		wantAWSError(t, err, "BucketNotEmpty", http.StatusConflict)
		err = f.minio.RemoveBucket(bg, name)
		wantMinioError(t, err, "BucketNotEmpty", http.StatusConflict)
		d := f.raw.do(t, rawRequest{method: http.MethodDelete, path: "/" + name}).wantError(t, "BucketNotEmpty", http.StatusConflict)
		if d.BucketName != name {
			t.Errorf("BucketName %q", d.BucketName)
		}
		_, err = f.aws.DeleteObject(bg, &s3.DeleteObjectInput{Bucket: aws.String(name), Key: aws.String("obj")})
		mustOK(t, err, "DeleteObject")
		_, err = f.aws.DeleteBucket(bg, &s3.DeleteBucketInput{Bucket: aws.String(name)})
		mustOK(t, err, "DeleteBucket of emptied bucket")
	})

	t.Run("NoSuchBucket", func(t *testing.T) {
		t.Parallel()
		missing := "missing-" + randomHex(4)
		_, err := f.aws.DeleteBucket(bg, &s3.DeleteBucketInput{Bucket: aws.String(missing)})
		wantAWSError(t, err, "NoSuchBucket", http.StatusNotFound)
		_, err = f.aws.GetBucketLocation(bg, &s3.GetBucketLocationInput{Bucket: aws.String(missing)})
		wantAWSError(t, err, "NoSuchBucket", http.StatusNotFound)
		_, err = f.aws.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String(missing)})
		wantAWSError(t, err, "NoSuchBucket", http.StatusNotFound)
		_, err = f.aws.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(missing), Key: aws.String("k"), Body: strings.NewReader("x")})
		wantAWSError(t, err, "NoSuchBucket", http.StatusNotFound)
		// (minio-go answers GetBucketLocation from its configured region.)
		err = f.minio.RemoveObject(bg, missing, "k", minio.RemoveObjectOptions{})
		wantMinioError(t, err, "NoSuchBucket", http.StatusNotFound)
		resp := f.raw.do(t, rawRequest{method: http.MethodHead, path: "/" + missing})
		if resp.status != http.StatusNotFound || len(resp.body) != 0 {
			t.Errorf("HEAD missing bucket: %d %q", resp.status, resp.body)
		}
		d := f.raw.do(t, rawRequest{method: http.MethodGet, path: "/" + missing}).wantError(t, "NoSuchBucket", http.StatusNotFound)
		if d.BucketName != missing {
			t.Errorf("BucketName %q", d.BucketName)
		}
	})

	t.Run("Location", func(t *testing.T) {
		t.Parallel()
		name := f.bucket(t)
		out, err := f.aws.GetBucketLocation(bg, &s3.GetBucketLocationInput{Bucket: aws.String(name)})
		mustOK(t, err, "GetBucketLocation")
		if out.LocationConstraint != "" {
			t.Errorf("us-east-1 bucket: LocationConstraint %q, want empty", out.LocationConstraint)
		}
		loc, err := f.minio.GetBucketLocation(bg, name)
		mustOK(t, err, "minio GetBucketLocation")
		if loc != "us-east-1" {
			t.Errorf("minio location %q", loc)
		}

		eu := "eu-" + randomHex(4)
		_, err = f.aws.CreateBucket(bg, &s3.CreateBucketInput{
			Bucket:                    aws.String(eu),
			CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1},
		})
		mustOK(t, err, "CreateBucket eu-west-1")
		out, err = f.aws.GetBucketLocation(bg, &s3.GetBucketLocationInput{Bucket: aws.String(eu)})
		mustOK(t, err, "GetBucketLocation eu-west-1")
		if out.LocationConstraint != types.BucketLocationConstraintEuWest1 {
			t.Errorf("LocationConstraint %q", out.LocationConstraint)
		}
		head, err := f.aws.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String(eu)})
		mustOK(t, err, "HeadBucket eu-west-1")
		if aws.ToString(head.BucketRegion) != "eu-west-1" {
			t.Errorf("x-amz-bucket-region %q", aws.ToString(head.BucketRegion))
		}
		mustOK(t, f.minio.MakeBucket(bg, "ap-"+eu, minio.MakeBucketOptions{Region: "ap-south-1"}), "minio MakeBucket ap-south-1")
	})

	t.Run("MalformedConfiguration", func(t *testing.T) {
		t.Parallel()
		name := "badcfg-" + randomHex(4)
		f.raw.do(t, rawRequest{method: http.MethodPut, path: "/" + name, body: []byte("<CreateBucketConfiguration><Loc")}).
			wantError(t, "MalformedXML", http.StatusBadRequest)
		f.raw.do(t, rawRequest{method: http.MethodHead, path: "/" + name}).wantStatus(t, http.StatusNotFound)
	})

	t.Run("ListBucketsPages", func(t *testing.T) {
		t.Parallel()
		prefix := "page-" + randomHex(3) + "-"
		var want []string
		for i := range 5 {
			name := prefix + string(rune('a'+i))
			_, err := f.aws.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String(name)})
			mustOK(t, err, "CreateBucket")
			want = append(want, name)
		}
		var got []string
		in := &s3.ListBucketsInput{Prefix: aws.String(prefix), MaxBuckets: aws.Int32(2)}
		for pages := 0; ; pages++ {
			out, err := f.aws.ListBuckets(bg, in)
			mustOK(t, err, "ListBuckets page")
			if len(out.Buckets) > 2 || pages > 3 {
				t.Fatalf("page %d: %d buckets", pages, len(out.Buckets))
			}
			for _, b := range out.Buckets {
				got = append(got, aws.ToString(b.Name))
			}
			if out.ContinuationToken == nil {
				break
			}
			in.ContinuationToken = out.ContinuationToken
		}
		if !slices.Equal(got, want) {
			t.Errorf("paged buckets %q, want %q", got, want)
		}
		for _, q := range []string{"max-buckets=0", "max-buckets=10001", "max-buckets=x", "continuation-token=***"} {
			f.raw.do(t, rawRequest{method: http.MethodGet, path: "/", query: q}).wantError(t, "InvalidArgument", http.StatusBadRequest)
		}
	})

	t.Run("Versioning", func(t *testing.T) {
		t.Parallel()
		name := f.bucket(t)
		out, err := f.aws.GetBucketVersioning(bg, &s3.GetBucketVersioningInput{Bucket: aws.String(name)})
		mustOK(t, err, "GetBucketVersioning")
		if out.Status != "" || out.MFADelete != "" {
			t.Errorf("versioning %+v, want never enabled", out)
		}
		_, err = f.aws.GetBucketVersioning(bg, &s3.GetBucketVersioningInput{Bucket: aws.String("absent-" + randomHex(3))})
		wantAWSError(t, err, "NoSuchBucket", http.StatusNotFound)
	})

	t.Run("ListBucketsOwnerXML", func(t *testing.T) {
		t.Parallel()
		name := f.bucket(t)
		resp := f.raw.do(t, rawRequest{method: http.MethodGet, path: "/"})
		resp.wantStatus(t, http.StatusOK)
		var l listAllMyBuckets
		resp.xmlBody(t, &l)
		if l.Owner.ID == "" || l.Owner.DisplayName == "" {
			t.Errorf("Owner %+v", l.Owner)
		}
		var names []string
		for _, b := range l.Buckets {
			names = append(names, b.Name)
			if !strings.HasSuffix(b.CreationDate, "Z") {
				t.Errorf("CreationDate %q", b.CreationDate)
			}
		}
		if !slices.Contains(names, name) || !slices.IsSorted(names) {
			t.Errorf("buckets %v: want sorted, containing %s", names, name)
		}
	})
}
