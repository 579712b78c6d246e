# shellcheck shell=bash
# Check area for multipart upload through the AWS CLI: aws s3 cp above the
# CLI's 8 MiB multipart threshold, the s3api multipart commands one by one
# (create-multipart-upload, upload-part, upload-part-copy, list-parts,
# list-multipart-uploads, complete-multipart-upload, abort-multipart-upload),
# get-object --part-number and the AbortIncompleteMultipartUpload lifecycle
# rule. Sourced by e2e-awscli.sh; uses the harness in e2e-harness.sh.
#
# The CLI's upload-part sends a CRC32 by default, which S3 refuses for an
# upload created without a checksum algorithm: uploads with parts of their
# own are created with --checksum-algorithm CRC32.

MP_BUCKET=e2e-multipart
# The lifecycle rule area_multipart puts on MP_BUCKET.
MP_RULE_ID=abort-stale-uploads
MP_RULE_DAYS=3

# multipart_etag FILE...: the ETag S3 gives an upload of these parts, in
# order: the hex MD5 of their binary MD5s, "-", their count.
multipart_etag() {
  "$E2E_PYTHON" -c '
import hashlib, sys
md5s = b"".join(hashlib.md5(open(p, "rb").read()).digest() for p in sys.argv[1:])
print("%s-%d" % (hashlib.md5(md5s).hexdigest(), len(sys.argv) - 1))
' "$@"
}

# composite_crc32 FILE...: the COMPOSITE CRC32 of an upload of these parts:
# the base64 CRC32 of their big-endian CRC32s, "-", their count.
composite_crc32() {
  "$E2E_PYTHON" -c '
import base64, sys, zlib
crcs = b"".join(zlib.crc32(open(p, "rb").read()).to_bytes(4, "big") for p in sys.argv[1:])
print("%s-%d" % (base64.b64encode(zlib.crc32(crcs).to_bytes(4, "big")).decode(), len(sys.argv) - 1))
' "$@"
}

# parts_json FILE...: a --multipart-upload document naming these files as
# parts 1, 2, 3..., with their ETags and, unless NO_CRC is set, CRC32s.
parts_json() {
  NO_CRC=${NO_CRC:-} "$E2E_PYTHON" -c '
import base64, hashlib, json, os, sys, zlib
parts = []
for n, path in enumerate(sys.argv[1:], 1):
    data = open(path, "rb").read()
    p = {"PartNumber": n, "ETag": "\"%s\"" % hashlib.md5(data).hexdigest()}
    if not os.environ.get("NO_CRC"):
        p["ChecksumCRC32"] = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    parts.append(p)
print(json.dumps({"Parts": parts}))
' "$@"
}

area_multipart() {
  local dir="$E2E_TMP/multipart" part size upload_id copy_id stale_id i
  local etag crc parts=()
  mkdir -p "$dir"

  check "setup: bucket $MP_BUCKET"
  run aws_s3api create-bucket --bucket "$MP_BUCKET"
  want_success
  verdict

  # aws s3 cp cuts 8 MiB parts: 8 + 8 + 4 MiB.
  random_file "$dir/big.bin" $((20 << 20))
  split -b 8M -d -a 1 "$dir/big.bin" "$dir/big.part."
  check "s3 cp up 20 MiB (a multipart upload)"
  run aws_s3 cp --no-progress "$dir/big.bin" "s3://$MP_BUCKET/big.bin"
  want_success
  want_has "output" "$OUT" "upload: "
  verdict

  check "s3 cp down 20 MiB: byte-exact"
  run aws_s3 cp --no-progress "s3://$MP_BUCKET/big.bin" "$dir/big.got"
  want_success
  want_same_file "download" "$dir/big.bin" "$dir/big.got"
  verdict

  check "s3api head-object --checksum-mode ENABLED: ETag md5(md5s)-3 and a checksum"
  run aws_s3api head-object --bucket "$MP_BUCKET" --key big.bin --checksum-mode ENABLED
  want_success
  want_match "ETag" "$(jget 'd["ETag"]')" '^"[0-9a-f]{32}-3"$'
  want_eq "ETag" "\"$(multipart_etag "$dir"/big.part.?)\"" "$(jget 'd["ETag"]')"
  want_eq "ContentLength" $((20 << 20)) "$(jget 'd["ContentLength"]')"
  want_eq "checksum present" True "$(jget 'any(d.get(k) for k in ("ChecksumCRC32", "ChecksumCRC32C", "ChecksumCRC64NVME", "ChecksumSHA1", "ChecksumSHA256"))')"
  # The CLI asks for CRC32 parts; S3 then keeps a COMPOSITE checksum.
  if [[ $(jget 'd.get("ChecksumType")') == COMPOSITE ]]; then
    want_eq "ChecksumCRC32" "$(composite_crc32 "$dir"/big.part.?)" "$(jget 'd.get("ChecksumCRC32")')"
  fi
  verdict

  # s3api, one command at a time: parts of 5, 5 and 1 MiB.
  random_file "$dir/api.bin" $((11 << 20))
  split -b 5M -d -a 1 "$dir/api.bin" "$dir/api.part."
  parts=("$dir"/api.part.?)
  etag=$(multipart_etag "${parts[@]}")
  crc=$(composite_crc32 "${parts[@]}")
  parts_json "${parts[@]}" >"$dir/parts.json"

  check "s3api create-multipart-upload --checksum-algorithm CRC32"
  run aws_s3api create-multipart-upload --bucket "$MP_BUCKET" --key api.bin \
    --checksum-algorithm CRC32 --metadata origin=e2e --content-type application/x-e2e
  want_success
  upload_id=$(jget 'd["UploadId"]')
  want_eq "Key" api.bin "$(jget 'd["Key"]')"
  want_eq "UploadId present" True "$(jget 'bool(d.get("UploadId"))')"
  want_eq "ChecksumAlgorithm" CRC32 "$(jget 'd.get("ChecksumAlgorithm")')"
  verdict

  for i in 1 2 3; do
    part=${parts[i - 1]}
    size=$(stat -c %s "$part")
    check "s3api upload-part $i ($((size >> 20)) MiB)"
    run aws_s3api upload-part --bucket "$MP_BUCKET" --key api.bin --upload-id "$upload_id" \
      --part-number "$i" --body "$part" --checksum-algorithm CRC32
    want_success
    want_eq "ETag" "\"$(digest md5 "$part")\"" "$(jget 'd["ETag"]')"
    want_eq "ChecksumCRC32" "$(digest crc32 "$part")" "$(jget 'd.get("ChecksumCRC32")')"
    verdict
  done

  check "s3api list-parts: numbers, ETags, sizes and CRC32s"
  run aws_s3api list-parts --bucket "$MP_BUCKET" --key api.bin --upload-id "$upload_id"
  want_success
  want_eq "parts" "$(jget '[{k: p[k] for k in ("PartNumber", "ETag", "ChecksumCRC32")} for p in d["Parts"]]' "$(cat "$dir/parts.json")")" \
    "$(jget '[{k: p.get(k) for k in ("PartNumber", "ETag", "ChecksumCRC32")} for p in d.get("Parts", [])]')"
  want_eq "sizes" "5242880 5242880 1048576" "$(jget '" ".join(str(p["Size"]) for p in d.get("Parts", []))')"
  verdict

  check "s3api list-multipart-uploads shows the upload"
  run aws_s3api list-multipart-uploads --bucket "$MP_BUCKET"
  want_success
  want_eq "uploads" "api.bin $upload_id" "$(jget '" ".join(u["Key"] + " " + u["UploadId"] for u in d.get("Uploads", []))')"
  verdict

  check "s3api complete-multipart-upload --multipart-upload file://parts.json: ETag md5(md5s)-3"
  run aws_s3api complete-multipart-upload --bucket "$MP_BUCKET" --key api.bin --upload-id "$upload_id" \
    --multipart-upload "file://$dir/parts.json"
  want_success
  want_eq "ETag" "\"$etag\"" "$(jget 'd.get("ETag")')"
  want_eq "ChecksumCRC32" "$crc" "$(jget 'd.get("ChecksumCRC32")')"
  verdict

  check "s3api complete-multipart-upload retried: the same answer"
  run aws_s3api complete-multipart-upload --bucket "$MP_BUCKET" --key api.bin --upload-id "$upload_id" \
    --multipart-upload "file://$dir/parts.json"
  want_success
  want_eq "ETag" "\"$etag\"" "$(jget 'd.get("ETag")')"
  want_eq "ChecksumCRC32" "$crc" "$(jget 'd.get("ChecksumCRC32")')"
  verdict

  check "s3api get-object: the whole object, with the upload's metadata"
  run aws_s3api get-object --bucket "$MP_BUCKET" --key api.bin "$dir/api.got"
  want_success
  want_same_file "body" "$dir/api.bin" "$dir/api.got"
  want_eq "ETag" "\"$etag\"" "$(jget 'd.get("ETag")')"
  want_eq "Metadata" '{"origin":"e2e"}' "$(jget 'd.get("Metadata")')"
  want_eq "ContentType" application/x-e2e "$(jget 'd.get("ContentType")')"
  verdict

  check "s3api get-object --part-number 2: that part"
  run aws_s3api get-object --bucket "$MP_BUCKET" --key api.bin --part-number 2 "$dir/part2.got"
  want_success
  want_same_file "body" "${parts[1]}" "$dir/part2.got"
  want_eq "PartsCount" 3 "$(jget 'd.get("PartsCount")')"
  want_eq "ContentLength" $((5 << 20)) "$(jget 'd.get("ContentLength")')"
  want_eq "ContentRange" "bytes $((5 << 20))-$(((10 << 20) - 1))/$((11 << 20))" "$(jget 'd.get("ContentRange")')"
  verdict

  # A range across the boundary of parts 1 and 2 of api.bin: the new part
  # references two extents.
  slice "$dir/api.bin" $((4 << 20)) $((2 << 20)) >"$dir/range.bin"
  check "s3api upload-part-copy --copy-source-range across a part boundary"
  run aws_s3api create-multipart-upload --bucket "$MP_BUCKET" --key copied.bin
  want_success
  copy_id=$(jget 'd["UploadId"]')
  run aws_s3api upload-part-copy --bucket "$MP_BUCKET" --key copied.bin --upload-id "$copy_id" \
    --part-number 1 --copy-source "$MP_BUCKET/api.bin" \
    --copy-source-range "bytes=$((4 << 20))-$(((6 << 20) - 1))"
  want_success
  want_eq "CopyPartResult.ETag" "\"$(digest md5 "$dir/range.bin")\"" "$(jget 'd["CopyPartResult"]["ETag"]')"
  verdict

  check "s3api complete-multipart-upload of the copied part; get-object returns the range"
  NO_CRC=1 parts_json "$dir/range.bin" >"$dir/copy-parts.json"
  run aws_s3api complete-multipart-upload --bucket "$MP_BUCKET" --key copied.bin --upload-id "$copy_id" \
    --multipart-upload "file://$dir/copy-parts.json"
  want_success
  want_eq "ETag" "\"$(multipart_etag "$dir/range.bin")\"" "$(jget 'd.get("ETag")')"
  run aws_s3api get-object --bucket "$MP_BUCKET" --key copied.bin "$dir/copied.got"
  want_success
  want_same_file "body" "$dir/range.bin" "$dir/copied.got"
  verdict

  cat >"$dir/lifecycle.json" <<EOF
{"Rules":[{"ID":"$MP_RULE_ID","Filter":{"Prefix":"tmp/"},"Status":"Enabled","AbortIncompleteMultipartUpload":{"DaysAfterInitiation":$MP_RULE_DAYS}}]}
EOF
  check "s3api put-bucket-lifecycle-configuration: AbortIncompleteMultipartUpload"
  run aws_s3api put-bucket-lifecycle-configuration --bucket "$MP_BUCKET" \
    --lifecycle-configuration "file://$dir/lifecycle.json"
  want_success
  verdict

  check "s3api get-bucket-lifecycle-configuration round-trips the rule"
  run aws_s3api get-bucket-lifecycle-configuration --bucket "$MP_BUCKET"
  want_success
  want_eq "Rules" "$(jget 'd["Rules"]' "$(cat "$dir/lifecycle.json")")" "$(jget 'd.get("Rules")')"
  verdict

  # S3 rounds initiation + days up to the next midnight UTC.
  check "s3api create-multipart-upload under the rule: AbortDate and AbortRuleId"
  run aws_s3api create-multipart-upload --bucket "$MP_BUCKET" --key tmp/stale.bin
  want_success
  stale_id=$(jget 'd["UploadId"]')
  want_eq "AbortRuleId" "$MP_RULE_ID" "$(jget 'd.get("AbortRuleId")')"
  # The CLI shows the x-amz-abort-date header as sent, an HTTP date.
  want_eq "AbortDate" "$("$E2E_PYTHON" -c '
import datetime, email.utils, sys
d = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=int(sys.argv[1]))
d = d.replace(hour=0, minute=0, second=0, microsecond=0) + datetime.timedelta(days=1)
print(email.utils.format_datetime(d, usegmt=True))
' "$MP_RULE_DAYS")" "$(jget 'd.get("AbortDate")')"
  verdict

  check "s3api abort-multipart-upload"
  run aws_s3api abort-multipart-upload --bucket "$MP_BUCKET" --key tmp/stale.bin --upload-id "$stale_id"
  want_success
  verdict

  check "s3api list-parts of the aborted upload: NoSuchUpload"
  run aws_s3api list-parts --bucket "$MP_BUCKET" --key tmp/stale.bin --upload-id "$stale_id"
  want_error "NoSuchUpload"
  verdict

  check "s3 rb --force removes the bucket and its objects"
  run aws_s3 rb --force "s3://$MP_BUCKET"
  want_success
  want_has "output" "$OUT" "remove_bucket: $MP_BUCKET"
  verdict
}
