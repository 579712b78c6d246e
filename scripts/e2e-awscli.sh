#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# End-to-end test: builds Cairn from this tree, starts it on a loopback port
# with a throwaway data directory, and drives it with the AWS CLI (aws s3 and
# aws s3api), asserting on outputs and file contents.
#
#   scripts/e2e-awscli.sh            run every area
#   scripts/e2e-awscli.sh s3_cp ...  run only the named areas (see AREAS;
#                                    some areas use what earlier ones made)
#
# Prints "ok  <check>" or "FAIL <check>: <detail>" per check, then a summary
# line; exits 1 if any check failed, 2 if the environment is unusable.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

. "$SCRIPT_DIR/lib/e2e-harness.sh"
. "$SCRIPT_DIR/lib/awscli-s3.sh"
. "$SCRIPT_DIR/lib/awscli-s3api.sh"
. "$SCRIPT_DIR/lib/awscli-multipart.sh"

# The areas, in run order; each is a function area_<name>.
AREAS=(
  s3_buckets
  s3_cp
  s3_sync
  s3_rm
  s3api_buckets
  s3api_objects
  s3api_listing
  s3api_delete_objects
  s3api_tagging
  s3api_errors
  multipart
  presign
)

ROOT_ACCESS_KEY=AKIDCAIRNE2EROOT0001
ROOT_SECRET_KEY=e2e-root-secret-key-0123456789abcdefghij

cleanup() {
  stop_cairn
  if [[ -n ${E2E_TMP:-} && -d $E2E_TMP ]]; then
    rm -rf -- "$E2E_TMP"
  fi
}

# area_server_log: the server logged no warning or error during the run.
area_server_log() {
  check "server logged no warnings or errors"
  local errors
  errors=$(grep -E 'level=(ERROR|WARN)' "$CAIRN_LOG" || true)
  if [[ -n $errors ]]; then
    problem "$errors"
  fi
  verdict
}

main() {
  local areas=("$@") area
  if ((${#areas[@]} == 0)); then
    areas=("${AREAS[@]}")
  fi
  for area in "${areas[@]}"; do
    declare -F "area_$area" >/dev/null || die "unknown area $area (known: ${AREAS[*]})"
  done
  command -v curl >/dev/null 2>&1 || die "curl is required"

  E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cairn-e2e.XXXXXX")
  trap cleanup EXIT
  # Exiting from a signal runs the EXIT trap, so the server never outlives
  # the script (a closed output pipe included).
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 141' PIPE
  trap 'exit 143' TERM

  locate_python
  locate_aws_cli
  printf '# %s\n' "$("${AWS_CLI[@]}" --version 2>&1)"
  isolate_aws_cli "$ROOT_ACCESS_KEY" "$ROOT_SECRET_KEY"
  start_cairn "$REPO_ROOT" "$ROOT_ACCESS_KEY" "$ROOT_SECRET_KEY"
  printf '# cairn pid %s at %s\n' "$CAIRN_PID" "$ENDPOINT"

  for area in "${areas[@]}"; do
    "area_$area"
  done
  area_server_log

  if ((E2E_FAILED > 0)); then
    printf '# server log tail:\n'
    tail -n 20 "$CAIRN_LOG" | sed 's/^/#   /'
  fi
  printf '# %d s\n' "$SECONDS"
  printf 'e2e: %d passed, %d failed\n' "$E2E_PASSED" "$E2E_FAILED"
  ((E2E_FAILED == 0)) || exit 1
}

main "$@"
