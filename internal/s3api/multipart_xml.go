package s3api

import (
	"encoding/xml"

	"github.com/cairn-s3/cairn/internal/s3"
)

type initiateMultipartUploadResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

// checksumFields are the Checksum<ALG> elements; at most one is set.
type checksumFields struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
	ChecksumSHA512    string `xml:"ChecksumSHA512,omitempty"`
	ChecksumMD5       string `xml:"ChecksumMD5,omitempty"`
	ChecksumXXHASH64  string `xml:"ChecksumXXHASH64,omitempty"`
	ChecksumXXHASH3   string `xml:"ChecksumXXHASH3,omitempty"`
	ChecksumXXHASH128 string `xml:"ChecksumXXHASH128,omitempty"`
}

// field returns the element of alg, or nil for an algorithm with none.
func (f *checksumFields) field(alg s3.ChecksumAlgorithm) *string {
	switch alg {
	case s3.ChecksumCRC32:
		return &f.ChecksumCRC32
	case s3.ChecksumCRC32C:
		return &f.ChecksumCRC32C
	case s3.ChecksumCRC64NVME:
		return &f.ChecksumCRC64NVME
	case s3.ChecksumSHA1:
		return &f.ChecksumSHA1
	case s3.ChecksumSHA256:
		return &f.ChecksumSHA256
	case s3.ChecksumSHA512:
		return &f.ChecksumSHA512
	case s3.ChecksumMD5:
		return &f.ChecksumMD5
	case s3.ChecksumXXHASH64:
		return &f.ChecksumXXHASH64
	case s3.ChecksumXXHASH3:
		return &f.ChecksumXXHASH3
	case s3.ChecksumXXHASH128:
		return &f.ChecksumXXHASH128
	}
	return nil
}

// checksumXML sets the Checksum<ALG> element of alg.
func checksumXML(alg s3.ChecksumAlgorithm, value string) checksumFields {
	var f checksumFields
	if p := f.field(alg); p != nil {
		*p = value
	}
	return f
}

type copyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
	checksumFields
}

type completeMultipartUploadResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
	checksumFields
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

type listPartsResult struct {
	XMLName              xml.Name     `xml:"ListPartsResult"`
	Xmlns                string       `xml:"xmlns,attr"`
	Bucket               string       `xml:"Bucket"`
	Key                  string       `xml:"Key"`
	UploadID             string       `xml:"UploadId"`
	PartNumberMarker     int          `xml:"PartNumberMarker"`
	NextPartNumberMarker int          `xml:"NextPartNumberMarker"`
	MaxParts             int          `xml:"MaxParts"`
	IsTruncated          bool         `xml:"IsTruncated"`
	Initiator            owner        `xml:"Initiator"`
	Owner                owner        `xml:"Owner"`
	StorageClass         string       `xml:"StorageClass"`
	ChecksumAlgorithm    string       `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType         string       `xml:"ChecksumType,omitempty"`
	Parts                []partResult `xml:"Part"`
}

type partResult struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	checksumFields
}

type listMultipartUploadsResult struct {
	XMLName            xml.Name       `xml:"ListMultipartUploadsResult"`
	Xmlns              string         `xml:"xmlns,attr"`
	Bucket             string         `xml:"Bucket"`
	KeyMarker          string         `xml:"KeyMarker"`
	UploadIDMarker     string         `xml:"UploadIdMarker"`
	NextKeyMarker      string         `xml:"NextKeyMarker"`
	NextUploadIDMarker string         `xml:"NextUploadIdMarker"`
	Delimiter          string         `xml:"Delimiter,omitempty"`
	Prefix             string         `xml:"Prefix"`
	EncodingType       string         `xml:"EncodingType,omitempty"`
	MaxUploads         int            `xml:"MaxUploads"`
	IsTruncated        bool           `xml:"IsTruncated"`
	Uploads            []uploadResult `xml:"Upload"`
	CommonPrefixes     []prefixResult `xml:"CommonPrefixes"`
}

type uploadResult struct {
	Key               string `xml:"Key"`
	UploadID          string `xml:"UploadId"`
	Initiator         owner  `xml:"Initiator"`
	Owner             owner  `xml:"Owner"`
	StorageClass      string `xml:"StorageClass"`
	Initiated         string `xml:"Initiated"`
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
}

type getObjectAttributesResponse struct {
	XMLName      xml.Name           `xml:"GetObjectAttributesResponse"`
	Xmlns        string             `xml:"xmlns,attr"`
	ETag         string             `xml:"ETag,omitempty"`
	Checksum     *attributeChecksum `xml:"Checksum,omitempty"`
	ObjectParts  *attributeParts    `xml:"ObjectParts,omitempty"`
	StorageClass string             `xml:"StorageClass,omitempty"`
	ObjectSize   *int64             `xml:"ObjectSize,omitempty"`
}

type attributeChecksum struct {
	checksumFields
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

type attributeParts struct {
	TotalPartsCount      int                 `xml:"PartsCount"`
	PartNumberMarker     int                 `xml:"PartNumberMarker"`
	NextPartNumberMarker int                 `xml:"NextPartNumberMarker"`
	MaxParts             int                 `xml:"MaxParts"`
	IsTruncated          bool                `xml:"IsTruncated"`
	Parts                []attributePartInfo `xml:"Part"`
}

type attributePartInfo struct {
	checksumFields
	PartNumber int   `xml:"PartNumber"`
	Size       int64 `xml:"Size"`
}

type lifecycleConfiguration struct {
	XMLName xml.Name        `xml:"LifecycleConfiguration"`
	Xmlns   string          `xml:"xmlns,attr,omitempty"`
	Rules   []lifecycleRule `xml:"Rule"`
}

// lifecycleRule is one <Rule>. Fields Cairn does not act on are decoded so
// that a rule using them can be refused rather than silently half-applied.
type lifecycleRule struct {
	ID     string           `xml:"ID,omitempty"`
	Prefix *string          `xml:"Prefix"`
	Filter *lifecycleFilter `xml:"Filter"`
	Status string           `xml:"Status"`

	AbortIncompleteMultipartUpload *struct {
		DaysAfterInitiation *string `xml:"DaysAfterInitiation"`
	} `xml:"AbortIncompleteMultipartUpload"`

	Expiration                   *struct{}  `xml:"Expiration"`
	Transitions                  []struct{} `xml:"Transition"`
	NoncurrentVersionExpiration  *struct{}  `xml:"NoncurrentVersionExpiration"`
	NoncurrentVersionTransitions []struct{} `xml:"NoncurrentVersionTransition"`
}

type lifecycleFilter struct {
	Prefix *string   `xml:"Prefix"`
	Tag    *struct{} `xml:"Tag"`
	And    *struct {
		Prefix *string    `xml:"Prefix"`
		Tags   []struct{} `xml:"Tag"`
	} `xml:"And"`
	ObjectSizeGreaterThan *string `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *string `xml:"ObjectSizeLessThan"`
}
