# shellcheck shell=bash
# Check areas for the AWS CLI's high-level commands: aws s3 mb/ls/cp/sync/
# rm/rb. Sourced by e2e-awscli.sh; uses the harness in e2e-harness.sh.
#
# Every file stays under the CLI's 8 MiB multipart threshold: multipart
# upload is a separate area (awscli-multipart.sh).

# The bucket the aws s3 areas share; area_s3_rm removes it at the end.
S3_BUCKET=e2e-s3-cli
# A key with spaces, non-ASCII letters, "+" and "%": the characters that
# path encoding and form decoding get wrong.
ODD_NAME='naïve café+résumé 100% (1) €.txt'

area_s3_buckets() {
  check "s3 mb"
  run aws_s3 mb "s3://$S3_BUCKET"
  want_success
  want_has "output" "$OUT" "make_bucket: $S3_BUCKET"
  verdict

  check "s3 ls lists buckets"
  run aws_s3 ls
  want_success
  want_match "output" "$OUT" "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} $S3_BUCKET\$"
  verdict
}

area_s3_cp() {
  local up="$E2E_TMP/cp-up" down="$E2E_TMP/cp-down" base="s3://$S3_BUCKET/cp"
  mkdir -p "$up" "$down"
  printf 'hello, cairn\n' >"$up/small.txt"
  : >"$up/empty.txt"
  random_file "$up/big.bin" $((3 << 20))
  printf 'odd name, plain content\n' >"$up/$ODD_NAME"
  # Larger than the server's inline limit, so it lands in the blob store.
  random_file "$E2E_TMP/stdin.bin" $((200 << 10))

  local name
  for name in small.txt empty.txt big.bin; do
    check "s3 cp up $name"
    run aws_s3 cp --no-progress "$up/$name" "$base/$name"
    want_success
    want_has "output" "$OUT" "upload: "
    verdict
  done

  check "s3 cp up a name with spaces, unicode, + and %"
  run aws_s3 cp --no-progress "$up/$ODD_NAME" "$base/$ODD_NAME"
  want_success
  want_has "output" "$OUT" "$base/$ODD_NAME"
  verdict

  check "s3 cp up from stdin (-)"
  run aws_s3 cp - "$base/stdin.bin" <"$E2E_TMP/stdin.bin"
  want_success
  verdict
  cp "$E2E_TMP/stdin.bin" "$up/stdin.bin"

  # Listing lines start with the date ("2026-..."): count those.
  check "s3 ls a prefix shows sizes and names"
  run aws_s3 ls "$base/"
  want_success
  want_eq "line count" 5 "$(count_lines 20 "$OUT")"
  for name in small.txt empty.txt big.bin stdin.bin "$ODD_NAME"; do
    want_has "listing" "$OUT" " $(stat -c %s "$up/$name") $name"
  done
  verdict

  check "s3 ls --recursive"
  run aws_s3 ls --recursive "s3://$S3_BUCKET"
  want_success
  want_eq "line count" 5 "$(count_lines 20 "$OUT")"
  want_has "listing" "$OUT" " cp/big.bin"
  want_has "listing" "$OUT" " cp/$ODD_NAME"
  verdict

  check "s3 cp down a name with spaces, unicode, + and %"
  run aws_s3 cp --no-progress "$base/$ODD_NAME" "$down/single-$ODD_NAME"
  want_success
  want_same_file "download" "$up/$ODD_NAME" "$down/single-$ODD_NAME"
  verdict

  check "s3 cp down to stdout (-), 3 MiB"
  run_to "$down/stdout.bin" aws_s3 cp "$base/big.bin" -
  want_success
  want_same_file "stdout" "$up/big.bin" "$down/stdout.bin"
  verdict

  check "s3 cp --recursive down"
  run aws_s3 cp --no-progress --recursive "$base/" "$down/all"
  want_success
  want_eq "downloads" 5 "$(count_lines download: "$OUT")"
  want_same_tree "tree" "$up" "$down/all"
  verdict
}

area_s3_sync() {
  local tree="$E2E_TMP/sync-up" fresh="$E2E_TMP/sync-down" base="s3://$S3_BUCKET/sync"
  mkdir -p "$tree/sub/deep" "$tree/ü"
  printf 'a\n' >"$tree/a.txt"
  printf 'b\n' >"$tree/sub/b.txt"
  printf 'spaced\n' >"$tree/sub/with space.txt"
  random_file "$tree/sub/deep/c.bin" $((100 << 10))
  printf 'ñ\n' >"$tree/ü/ñ.txt"
  # Older than any upload even where LastModified has whole seconds, so that
  # the second sync up compares stably.
  find "$tree" -type f -exec touch -d '2 minutes ago' {} +

  check "s3 sync up into a prefix"
  run aws_s3 sync --no-progress "$tree" "$base"
  want_success
  want_eq "uploads" 5 "$(count_lines upload: "$OUT")"
  verdict

  check "s3 sync down into a fresh dir"
  run aws_s3 sync --no-progress "$base" "$fresh"
  want_success
  want_eq "downloads" 5 "$(count_lines download: "$OUT")"
  want_same_tree "tree" "$tree" "$fresh"
  verdict

  check "s3 sync up again transfers nothing"
  run aws_s3 sync --no-progress "$tree" "$base"
  want_success
  want_eq "output" "" "$OUT"
  verdict

  check "s3 sync down again transfers nothing"
  run aws_s3 sync --no-progress "$base" "$fresh"
  want_success
  want_eq "output" "" "$OUT"
  verdict
}

area_s3_rm() {
  check "s3 rm one object"
  run aws_s3 rm "s3://$S3_BUCKET/cp/small.txt"
  want_success
  want_eq "output" "delete: s3://$S3_BUCKET/cp/small.txt" "$OUT"
  verdict

  # cp/ holds 4 objects now and sync/ 5.
  check "s3 rm --recursive"
  run aws_s3 rm --recursive "s3://$S3_BUCKET"
  want_success
  want_eq "deletes" 9 "$(count_lines delete: "$OUT")"
  want_lacks "output" "$OUT" "small.txt"
  want_has "output" "$OUT" "delete: s3://$S3_BUCKET/sync/sub/with space.txt"
  verdict

  # rb without --force succeeds only on an empty bucket: it proves the
  # recursive rm left nothing behind.
  check "s3 rb"
  run aws_s3 rb "s3://$S3_BUCKET"
  want_success
  want_eq "output" "remove_bucket: $S3_BUCKET" "$OUT"
  verdict

  check "s3 ls no longer lists the removed bucket"
  run aws_s3 ls
  want_success
  want_lacks "buckets" "$OUT" " $S3_BUCKET"
  verdict
}
