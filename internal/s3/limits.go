package s3

// Limits S3 defines; the multipart ones are the AWS defaults that a server
// option may lower (MinPartSize) but never raise.
const (
	// MaxKeyLength is the longest object key in bytes.
	MaxKeyLength = 1024
	// MaxPutSize is the largest single PutObject body.
	MaxPutSize = 5 << 30
	// MinPartSize is the smallest part other than the last.
	MinPartSize = 5 << 20
	// MaxPartSize is the largest part.
	MaxPartSize = 5 << 30
	// MaxPartNumber is the highest part number and the most parts an upload has.
	MaxPartNumber = 10000
	// MaxObjectSize is 10,000 parts of 5 GiB: AWS's 48.8 TiB.
	MaxObjectSize = MaxPartNumber * MaxPartSize
	// MaxUserMetadataSize bounds the x-amz-meta-* headers, names and values.
	MaxUserMetadataSize = 2 << 10
	// MaxListKeys is the largest page of any listing.
	MaxListKeys = 1000
	// MaxDeleteObjects is the most keys one DeleteObjects request may name.
	MaxDeleteObjects = 1000
	// MaxObjectTags is the most tags an object carries.
	MaxObjectTags = 10
	// MaxTagKeyLength and MaxTagValueLength are in Unicode characters.
	MaxTagKeyLength   = 128
	MaxTagValueLength = 256
)
