# shellcheck shell=bash
# Check areas for the AWS CLI's low-level commands (aws s3api ...) and for
# presigned URLs. Sourced by e2e-awscli.sh; uses the harness in
# e2e-harness.sh. Areas run in order: later ones use the objects that
# area_s3api_objects and area_s3api_listing leave behind.

API_BUCKET=e2e-s3api
LIST_BUCKET=e2e-listing

area_s3api_buckets() {
  check "s3api create-bucket"
  run aws_s3api create-bucket --bucket "$API_BUCKET"
  want_success
  want_eq "Location" "/$API_BUCKET" "$(jget 'd["Location"]')"
  verdict

  check "s3api head-bucket"
  run aws_s3api head-bucket --bucket "$API_BUCKET"
  want_success
  want_eq "BucketRegion" us-east-1 "$(jget 'd.get("BucketRegion")')"
  verdict

  check "s3api get-bucket-location (us-east-1 is null)"
  run aws_s3api get-bucket-location --bucket "$API_BUCKET"
  want_success
  want_eq "LocationConstraint" null "$(jget 'd["LocationConstraint"]')"
  verdict

  check "s3api list-buckets with owner"
  run aws_s3api list-buckets
  want_success
  want_eq "bucket listed" True "$(jget "'$API_BUCKET' in [b['Name'] for b in d['Buckets']]")"
  want_eq "CreationDate on every bucket" True "$(jget 'all(b.get("CreationDate") for b in d["Buckets"])')"
  want_eq "Owner.ID present" True "$(jget 'bool(d["Owner"]["ID"])')"
  want_eq "Owner.DisplayName present" True "$(jget 'bool(d["Owner"].get("DisplayName"))')"
  verdict
}

area_s3api_objects() {
  local attr="$E2E_TMP/attr.txt" crc="$E2E_TMP/crc.bin" etag
  printf 'attributes round trip\n%.0s' {1..40} >"$attr"
  random_file "$crc" $((70 << 10))

  check "s3api put-object with metadata, headers, tagging, SHA256"
  run aws_s3api put-object --bucket "$API_BUCKET" --key attr.txt --body "$attr" \
    --metadata color=blue,Owner-Id=42 --content-type 'text/plain; charset=utf-8' \
    --cache-control 'max-age=60' --content-disposition 'attachment; filename="attr.txt"' \
    --tagging 'project=cairn&stage=e2e' --checksum-algorithm SHA256
  want_success
  etag=\"$(digest md5 "$attr")\"
  want_eq "ETag" "$etag" "$(jget 'd["ETag"]')"
  want_eq "ChecksumSHA256" "$(digest sha256 "$attr")" "$(jget 'd.get("ChecksumSHA256")')"
  verdict

  check "s3api head-object round-trips metadata and the SHA256 checksum"
  run aws_s3api head-object --bucket "$API_BUCKET" --key attr.txt --checksum-mode ENABLED
  want_success
  want_eq "Metadata" '{"color":"blue","owner-id":"42"}' "$(jget 'd["Metadata"]')"
  want_eq "ContentType" 'text/plain; charset=utf-8' "$(jget 'd.get("ContentType")')"
  want_eq "CacheControl" 'max-age=60' "$(jget 'd.get("CacheControl")')"
  want_eq "ContentDisposition" 'attachment; filename="attr.txt"' "$(jget 'd.get("ContentDisposition")')"
  want_eq "ContentLength" "$(stat -c %s "$attr")" "$(jget 'd["ContentLength"]')"
  want_eq "ETag" "$etag" "$(jget 'd["ETag"]')"
  want_eq "TagCount" 2 "$(jget 'd.get("TagCount")')"
  want_eq "ChecksumSHA256" "$(digest sha256 "$attr")" "$(jget 'd.get("ChecksumSHA256")')"
  verdict

  check "s3api put-object with CRC32"
  run aws_s3api put-object --bucket "$API_BUCKET" --key crc.bin --body "$crc" --checksum-algorithm CRC32
  want_success
  want_eq "ChecksumCRC32" "$(digest crc32 "$crc")" "$(jget 'd.get("ChecksumCRC32")')"
  verdict

  check "s3api head-object --checksum-mode ENABLED returns the CRC32"
  run aws_s3api head-object --bucket "$API_BUCKET" --key crc.bin --checksum-mode ENABLED
  want_success
  want_eq "ChecksumCRC32" "$(digest crc32 "$crc")" "$(jget 'd.get("ChecksumCRC32")')"
  want_eq "Metadata" '{}' "$(jget 'd.get("Metadata")')"
  verdict

  # --debug shows the status line, which the CLI's JSON leaves out.
  check "s3api get-object --range: 206 and the exact bytes"
  run aws_s3api get-object --bucket "$API_BUCKET" --key crc.bin --range bytes=1000-2023 \
    "$E2E_TMP/range.got" --debug
  want_success
  slice "$crc" 1000 1024 >"$E2E_TMP/range.want"
  want_same_file "body" "$E2E_TMP/range.want" "$E2E_TMP/range.got"
  want_eq "ContentRange" "bytes 1000-2023/$((70 << 10))" "$(jget 'd.get("ContentRange")')"
  want_eq "ContentLength" 1024 "$(jget 'd.get("ContentLength")')"
  want_match "status line" "$ERR" '"GET /[^"]*crc\.bin HTTP/1\.1" 206 1024'
  verdict

  check "s3api get-object --if-none-match ETag: 304 Not Modified"
  run aws_s3api get-object --bucket "$API_BUCKET" --key attr.txt --if-none-match "$etag" "$E2E_TMP/nm.got"
  want_error "(304)" "Not Modified"
  verdict

  check "s3api get-object --if-match other ETag: PreconditionFailed"
  run aws_s3api get-object --bucket "$API_BUCKET" --key attr.txt \
    --if-match '"00000000000000000000000000000000"' "$E2E_TMP/pm.got"
  want_error "PreconditionFailed"
  verdict

  check "s3api copy-object --metadata-directive REPLACE"
  run aws_s3api copy-object --bucket "$API_BUCKET" --key attr-copy.txt \
    --copy-source "$API_BUCKET/attr.txt" --metadata-directive REPLACE \
    --metadata replaced=yes --content-type application/json
  want_success
  want_eq "CopyObjectResult.ETag" "$etag" "$(jget 'd["CopyObjectResult"]["ETag"]')"
  verdict

  check "s3api head-object of the copy: metadata replaced, tags copied"
  run aws_s3api head-object --bucket "$API_BUCKET" --key attr-copy.txt
  want_success
  want_eq "Metadata" '{"replaced":"yes"}' "$(jget 'd["Metadata"]')"
  want_eq "ContentType" application/json "$(jget 'd.get("ContentType")')"
  want_eq "CacheControl" null "$(jget 'd.get("CacheControl")')"
  want_eq "ContentLength" "$(stat -c %s "$attr")" "$(jget 'd["ContentLength"]')"
  want_eq "TagCount" 2 "$(jget 'd.get("TagCount")')"
  verdict
}

# listing_keys: the 30 keys of LIST_BUCKET in byte order, one a line.
listing_keys() {
  local i
  {
    for i in $(seq -w 0 10); do printf 'photos/2024/img-%s.jpg\n' "$i"; done
    for i in $(seq -w 0 6); do printf 'photos/2025/img-%s.jpg\n' "$i"; done
    printf 'photos/cover.jpg\n'
    for i in $(seq 0 4); do printf 'docs/readme-%s.txt\n' "$i"; done
    for i in $(seq 0 5); do printf 'top-%s\n' "$i"; done
  } | LC_ALL=C sort
}

# keys_under PREFIX: the keys of listing_keys under PREFIX, space-separated.
keys_under() {
  local keys
  keys=$(listing_keys | awk -v p="$1" 'index($0, p) == 1' | tr '\n' ' ')
  printf '%s' "${keys% }"
}

# keys_of: the listing's keys in OUT, space-separated in response order.
keys_of() { jget '" ".join(o["Key"] for o in d.get("Contents", []))'; }

area_s3api_listing() {
  local src="$E2E_TMP/listing" all key token
  all=$(keys_under "")
  while IFS= read -r key; do
    mkdir -p "$src/$(dirname "$key")"
    printf '%s\n' "$key" >"$src/$key"
  done < <(listing_keys)

  check "setup: 30 keys for listing"
  run aws_s3api create-bucket --bucket "$LIST_BUCKET"
  want_success
  run aws_s3 cp --no-progress --recursive "$src" "s3://$LIST_BUCKET/"
  want_success
  want_eq "uploads" 30 "$(count_lines upload: "$OUT")"
  verdict

  check "s3api list-objects-v2 --prefix --delimiter"
  run aws_s3api list-objects-v2 --bucket "$LIST_BUCKET" --prefix photos/ --delimiter /
  want_success
  want_eq "CommonPrefixes" "photos/2024/ photos/2025/" "$(jget '" ".join(p["Prefix"] for p in d.get("CommonPrefixes", []))')"
  want_eq "Contents" "photos/cover.jpg" "$(keys_of)"
  verdict

  check "s3api list-objects --delimiter, 2 per page (NextMarker)"
  run aws_s3api list-objects --bucket "$LIST_BUCKET" --delimiter / --page-size 2
  want_success
  want_eq "CommonPrefixes" "docs/ photos/" "$(jget '" ".join(p["Prefix"] for p in d.get("CommonPrefixes", []))')"
  want_eq "Contents" "top-0 top-1 top-2 top-3 top-4 top-5" "$(keys_of)"
  verdict

  check "s3api list-objects --prefix, 4 per page (Marker)"
  run aws_s3api list-objects --bucket "$LIST_BUCKET" --prefix photos/ --page-size 4
  want_success
  want_eq "keys" "$(keys_under photos/)" "$(keys_of)"
  verdict

  check "s3api list-objects-v2 --max-items 7 --page-size 3"
  run aws_s3api list-objects-v2 --bucket "$LIST_BUCKET" --max-items 7 --page-size 3
  want_success
  want_eq "keys" "$(cut -d' ' -f1-7 <<<"$all")" "$(keys_of)"
  token=$(jget 'd["NextToken"]')
  want_eq "NextToken present" True "$(jget 'bool(d.get("NextToken"))')"
  verdict

  check "s3api list-objects-v2 --starting-token resumes (ContinuationToken)"
  run aws_s3api list-objects-v2 --bucket "$LIST_BUCKET" --starting-token "$token" --page-size 3
  want_success
  want_eq "keys" "$(cut -d' ' -f8- <<<"$all")" "$(keys_of)"
  want_eq "NextToken" null "$(jget 'd.get("NextToken")')"
  verdict

  check "s3api list-objects-v2 --prefix, 4 per page"
  run aws_s3api list-objects-v2 --bucket "$LIST_BUCKET" --prefix photos/2024/ --page-size 4
  want_success
  want_eq "keys" "$(keys_under photos/2024/)" "$(keys_of)"
  verdict
}

area_s3api_delete_objects() {
  check "s3api delete-objects reports each key, missing ones too"
  run aws_s3api delete-objects --bucket "$LIST_BUCKET" \
    --delete '{"Objects":[{"Key":"top-0"},{"Key":"top-1"},{"Key":"no-such-key"}]}'
  want_success
  want_eq "Deleted" "no-such-key top-0 top-1" "$(jget '" ".join(sorted(o["Key"] for o in d.get("Deleted", [])))')"
  want_eq "Errors" "[]" "$(jget 'd.get("Errors", [])')"
  verdict

  check "s3api delete-objects Quiet=true reports nothing"
  run aws_s3api delete-objects --bucket "$LIST_BUCKET" \
    --delete '{"Objects":[{"Key":"top-2"},{"Key":"top-3"}],"Quiet":true}'
  want_success
  want_eq "Deleted" "[]" "$(jget 'd.get("Deleted", [])')"
  want_eq "Errors" "[]" "$(jget 'd.get("Errors", [])')"
  verdict

  check "s3api list-objects-v2 after delete-objects"
  run aws_s3api list-objects-v2 --bucket "$LIST_BUCKET" --prefix top-
  want_success
  want_eq "keys" "top-4 top-5" "$(keys_of)"
  verdict
}

area_s3api_tagging() {
  local tags
  check "s3api get-object-tagging returns put-object --tagging"
  run aws_s3api get-object-tagging --bucket "$API_BUCKET" --key attr.txt
  want_success
  want_eq "TagSet" '[{"Key":"project","Value":"cairn"},{"Key":"stage","Value":"e2e"}]' \
    "$(jget 'sorted(d["TagSet"], key=lambda t: t["Key"])')"
  verdict

  tags='{"TagSet":[{"Key":"env","Value":"prod ü"},{"Key":"team","Value":"storage"}]}'
  check "s3api put-object-tagging"
  run aws_s3api put-object-tagging --bucket "$API_BUCKET" --key attr.txt --tagging "$tags"
  want_success
  verdict

  check "s3api get-object-tagging returns the replaced set"
  run aws_s3api get-object-tagging --bucket "$API_BUCKET" --key attr.txt
  want_success
  want_eq "TagSet" '[{"Key":"env","Value":"prod ü"},{"Key":"team","Value":"storage"}]' \
    "$(jget 'sorted(d["TagSet"], key=lambda t: t["Key"])')"
  verdict

  check "s3api delete-object-tagging"
  run aws_s3api delete-object-tagging --bucket "$API_BUCKET" --key attr.txt
  want_success
  verdict

  check "s3api get-object-tagging after delete is empty"
  run aws_s3api get-object-tagging --bucket "$API_BUCKET" --key attr.txt
  want_success
  want_eq "TagSet" "[]" "$(jget 'd["TagSet"]')"
  verdict
}

area_s3api_errors() {
  check "s3api delete-bucket on a non-empty bucket: BucketNotEmpty"
  run aws_s3api delete-bucket --bucket "$API_BUCKET"
  want_error "BucketNotEmpty"
  verdict

  check "s3api head-object on a missing key: 404"
  run aws_s3api head-object --bucket "$API_BUCKET" --key no/such/key
  want_error "(404)" "Not Found"
  verdict

  check "s3api get-object on a missing key: NoSuchKey"
  run aws_s3api get-object --bucket "$API_BUCKET" --key no/such/key "$E2E_TMP/missing.got"
  want_error "NoSuchKey"
  verdict

  check "s3 ls of a missing bucket: NoSuchBucket"
  run aws_s3 ls s3://e2e-no-such-bucket/
  want_error "NoSuchBucket"
  verdict

  check "wrong secret key: SignatureDoesNotMatch"
  run with_keys "$ROOT_ACCESS_KEY" "wrong-$ROOT_SECRET_KEY" aws_s3api list-buckets
  want_error "SignatureDoesNotMatch"
  verdict

  check "unknown access key: InvalidAccessKeyId"
  run with_keys AKIDE2ENOSUCHKEY0000 "$ROOT_SECRET_KEY" aws_s3api list-buckets
  want_error "InvalidAccessKeyId"
  verdict
}

area_presign() {
  local crc="$E2E_TMP/crc.bin" url expired code
  # Made first so that it has expired by the time the other checks are done.
  run aws_s3 presign "s3://$API_BUCKET/crc.bin" --expires-in 1
  expired=$OUT

  check "s3 presign + curl: byte-exact"
  run aws_s3 presign "s3://$API_BUCKET/crc.bin" --expires-in 300
  want_success
  url=$OUT
  want_has "URL" "$url" "X-Amz-Signature="
  code=$(curl -s -o "$E2E_TMP/presigned.got" -w '%{http_code}' "$url" || true)
  want_eq "status" 200 "$code"
  want_same_file "body" "$crc" "$E2E_TMP/presigned.got"
  verdict

  check "presigned URL with Range: 206 and the exact bytes"
  code=$(curl -s -H 'Range: bytes=5-104' -o "$E2E_TMP/presigned-range.got" -w '%{http_code}' "$url" || true)
  want_eq "status" 206 "$code"
  slice "$crc" 5 100 >"$E2E_TMP/presigned-range.want"
  want_same_file "body" "$E2E_TMP/presigned-range.want" "$E2E_TMP/presigned-range.got"
  verdict

  check "expired presigned URL: 403 Request has expired"
  sleep 1.5
  code=$(curl -s -o "$E2E_TMP/expired.got" -w '%{http_code}' "$expired" || true)
  want_eq "status" 403 "$code"
  want_has "body" "$(cat "$E2E_TMP/expired.got")" "Request has expired"
  verdict
}
