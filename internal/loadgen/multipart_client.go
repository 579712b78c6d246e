package loadgen

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/cairn-s3/cairn/internal/s3"
)

// CompletedPart is a part as CompleteMultipartUpload lists it.
type CompletedPart struct {
	PartNumber int    `xml:"PartNumber"`
	ETag       string `xml:"ETag"`
}

// ListedPart is a part as ListParts returns it.
type ListedPart struct {
	PartNumber int    `xml:"PartNumber"`
	ETag       string `xml:"ETag"`
	Size       int64  `xml:"Size"`
}

// PartsPage is one page of ListParts.
type PartsPage struct {
	Parts                []ListedPart `xml:"Part"`
	IsTruncated          bool         `xml:"IsTruncated"`
	NextPartNumberMarker int          `xml:"NextPartNumberMarker"`
}

type initiateResult struct {
	UploadID string `xml:"UploadId"`
}

type completeRequest struct {
	XMLName xml.Name        `xml:"CompleteMultipartUpload"`
	Parts   []CompletedPart `xml:"Part"`
}

// completeResponse decodes either outcome of a Complete that answered 200:
// the result, or an <Error> sent after the keep-alive whitespace.
type completeResponse struct {
	XMLName xml.Name
	ETag    string `xml:"ETag"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// CreateMultipartUpload starts an upload of bucket/key and returns its ID.
func (c *Client) CreateMultipartUpload(ctx context.Context, bucket, key string) (string, error) {
	var res initiateResult
	if err := c.sendXML(ctx, request{op: "CreateMultipartUpload", method: http.MethodPost, bucket: bucket, key: key,
		query: url.Values{"uploads": {""}}}, &res); err != nil {
		return "", err
	}
	if res.UploadID == "" {
		return "", fmt.Errorf("CreateMultipartUpload %s/%s: no UploadId in the response", bucket, key)
	}
	return res.UploadID, nil
}

// UploadPart uploads body as part number of an upload and returns its ETag.
func (c *Client) UploadPart(ctx context.Context, bucket, key, uploadID string, number int, body []byte) (string, error) {
	resp, err := c.send(ctx, request{op: "UploadPart", method: http.MethodPut, bucket: bucket, key: key, body: body,
		query: url.Values{"uploadId": {uploadID}, "partNumber": {strconv.Itoa(number)}}})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return "", fmt.Errorf("UploadPart %s/%s #%d: reading response: %w", bucket, key, number, err)
	}
	etag := resp.Header.Get("ETag")
	if etag == "" {
		return "", fmt.Errorf("UploadPart %s/%s #%d: no ETag in the response", bucket, key, number)
	}
	return etag, nil
}

// ListParts returns the page of at most maxParts parts after marker.
func (c *Client) ListParts(ctx context.Context, bucket, key, uploadID string, marker, maxParts int) (PartsPage, error) {
	q := url.Values{"uploadId": {uploadID}, "max-parts": {strconv.Itoa(maxParts)}}
	if marker > 0 {
		q.Set("part-number-marker", strconv.Itoa(marker))
	}
	var page PartsPage
	err := c.sendXML(ctx, request{op: "ListParts", method: http.MethodGet, bucket: bucket, key: key, query: q}, &page)
	return page, err
}

// CompleteMultipartUpload completes an upload from parts and returns the
// object's ETag. It reads the whole response, so the time it takes is the
// server's time to complete: a Complete that answers 200 at once and sends
// whitespace until it is done is only over at the end of the body, which
// may be an <Error> rather than the result.
func (c *Client) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []CompletedPart) (string, error) {
	body, err := xml.Marshal(completeRequest{Parts: parts})
	if err != nil {
		return "", fmt.Errorf("CompleteMultipartUpload %s/%s: %w", bucket, key, err)
	}
	r := request{op: "CompleteMultipartUpload", method: http.MethodPost, bucket: bucket, key: key, body: body,
		query: url.Values{"uploadId": {uploadID}}, header: http.Header{"Content-Type": {"application/xml"}}}
	var res completeResponse
	if err := c.sendXML(ctx, r, &res); err != nil {
		return "", err
	}
	if res.XMLName.Local == "Error" {
		return "", &ResponseError{Op: r.op, Target: target(r), Status: http.StatusOK,
			Err: &s3.Error{Code: s3.ErrorCode(res.Code), Message: res.Message}}
	}
	if res.XMLName.Local != "CompleteMultipartUploadResult" {
		return "", fmt.Errorf("CompleteMultipartUpload %s/%s: unexpected response element <%s>", bucket, key, res.XMLName.Local)
	}
	return res.ETag, nil
}

// AbortMultipartUpload aborts an upload.
func (c *Client) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	resp, err := c.send(ctx, request{op: "AbortMultipartUpload", method: http.MethodDelete, bucket: bucket, key: key,
		query: url.Values{"uploadId": {uploadID}}})
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// sendXML sends r and decodes the XML response body into v.
func (c *Client) sendXML(ctx context.Context, r request, v any) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	doc, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: reading response: %w", r.op, target(r), err)
	}
	// encoding/xml skips the leading whitespace of a kept-alive response.
	if err := xml.Unmarshal(bytes.TrimSpace(doc), v); err != nil {
		return fmt.Errorf("%s %s: decoding response: %w", r.op, target(r), err)
	}
	return nil
}
