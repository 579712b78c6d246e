# shellcheck shell=bash
# Harness for the end-to-end scripts: named checks with one output line each,
# command capture, JSON field access, a Cairn server built from this tree on
# a loopback port, and an AWS CLI with an isolated configuration.
#
# Sourced, never run. The caller sets -euo pipefail and E2E_TMP (a private
# temporary directory it removes on exit) before calling anything here.
# Every want_* helper returns 0, so a failed assertion is recorded, never
# fatal: one broken operation must not hide the checks after it.

E2E_PASSED=0
E2E_FAILED=0
E2E_CHECK=""
E2E_PROBLEMS=()
# The last run: exit status, stdout and stderr.
RC=0
OUT=""
ERR=""

# die MESSAGE: stops the script for a broken environment (not a failed check).
die() {
  printf 'e2e: %s\n' "$1" >&2
  exit 2
}

# one_line TEXT: TEXT on one line, cut to 300 characters, for FAIL details.
one_line() {
  local s=$1
  while [[ $s == $'\n'* ]]; do s=${s#$'\n'}; done
  while [[ $s == *$'\n' ]]; do s=${s%$'\n'}; done
  s=${s//$'\n'/ | }
  s=${s//$'\r'/}
  if ((${#s} > 300)); then
    s="${s:0:300}..."
  fi
  printf '%s' "$s"
}

# check NAME: starts a check; want_* calls add problems to it; verdict ends it.
check() {
  E2E_CHECK=$1
  E2E_PROBLEMS=()
}

# problem TEXT: records a failed assertion of the current check.
problem() {
  E2E_PROBLEMS+=("$(one_line "$1")")
}

# verdict: prints "ok  NAME" or "FAIL NAME: problems" for the current check.
verdict() {
  if ((${#E2E_PROBLEMS[@]} == 0)); then
    printf 'ok  %s\n' "$E2E_CHECK"
    E2E_PASSED=$((E2E_PASSED + 1))
    return 0
  fi
  local detail
  detail=$(printf '%s; ' "${E2E_PROBLEMS[@]}")
  printf 'FAIL %s: %s\n' "$E2E_CHECK" "${detail%; }"
  E2E_FAILED=$((E2E_FAILED + 1))
}

# run CMD...: runs CMD without stopping the script; sets RC, OUT and ERR.
run() {
  RC=0
  "$@" >"$E2E_TMP/run.out" 2>"$E2E_TMP/run.err" || RC=$?
  OUT=$(cat "$E2E_TMP/run.out")
  ERR=$(sed '/./,$!d' "$E2E_TMP/run.err") # without leading blank lines
}

# run_to FILE CMD...: like run, but stdout goes to FILE (binary-safe); OUT is
# left empty.
run_to() {
  local file=$1
  shift
  RC=0
  "$@" >"$file" 2>"$E2E_TMP/run.err" || RC=$?
  OUT=""
  ERR=$(sed '/./,$!d' "$E2E_TMP/run.err") # without leading blank lines
}

# want_success: the last run exited 0.
want_success() {
  if ((RC != 0)); then
    problem "exit $RC: ${ERR:-$OUT}"
  fi
}

# want_error TEXT...: the last run failed and its stderr holds every TEXT.
want_error() {
  if ((RC == 0)); then
    problem "succeeded, want an error with: $*"
    return 0
  fi
  local t
  for t in "$@"; do
    if [[ $ERR != *"$t"* ]]; then
      problem "error lacks \"$t\": $ERR"
    fi
  done
}

# want_eq WHAT WANT GOT
want_eq() {
  if [[ $2 != "$3" ]]; then
    problem "$1: want \"$2\", got \"$3\""
  fi
}

# want_has WHAT TEXT NEEDLE: TEXT contains NEEDLE.
want_has() {
  if [[ $2 != *"$3"* ]]; then
    problem "$1 lacks \"$3\": $2"
  fi
}

# want_lacks WHAT TEXT NEEDLE: TEXT does not contain NEEDLE.
want_lacks() {
  if [[ $2 == *"$3"* ]]; then
    problem "$1 has \"$3\": $2"
  fi
}

# want_match WHAT TEXT ERE: some line of TEXT matches the extended regexp.
want_match() {
  if ! grep -Eq -- "$3" <<<"$2"; then
    problem "$1 has no line matching /$3/: $2"
  fi
}

# want_same_file WHAT WANT_FILE GOT_FILE: byte-identical files.
want_same_file() {
  local diff
  if ! diff=$(cmp -- "$2" "$3" 2>&1); then
    problem "$1 differs: $diff"
  fi
}

# want_same_tree WHAT WANT_DIR GOT_DIR: identical directory trees.
want_same_tree() {
  local diff
  if ! diff=$(diff -r -- "$2" "$3" 2>&1); then
    problem "$1 differs: $diff"
  fi
}

# count_lines PREFIX TEXT: how many lines of TEXT start with PREFIX.
count_lines() {
  local n=0 line
  while IFS= read -r line; do
    if [[ $line == "$1"* ]]; then
      n=$((n + 1))
    fi
  done <<<"$2"
  printf '%s' "$n"
}

# jget EXPR [JSON]: evaluates the Python expression EXPR with d bound to the
# parsed JSON (default: OUT; empty input is {}). Lists and objects print as
# compact JSON with sorted keys, None as null; an error prints <Error: ...>,
# which no expected value equals.
jget() {
  printf '%s' "${2-$OUT}" | "$E2E_PYTHON" -c '
import json, sys
text = sys.stdin.read()
try:
    d = json.loads(text) if text.strip() else {}
    v = eval(sys.argv[1], {"d": d})
except Exception as e:
    print("<%s: %s>" % (type(e).__name__, e))
    sys.exit(0)
if isinstance(v, (dict, list)):
    print(json.dumps(v, sort_keys=True, ensure_ascii=False, separators=(",", ":")))
elif v is None:
    print("null")
else:
    print(v)
' "$1"
}

# digest ALG FILE: md5 (hex), or sha256 / crc32 as S3's base64 checksums.
digest() {
  "$E2E_PYTHON" -c '
import base64, hashlib, sys, zlib
alg, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
if alg == "md5":
    print(hashlib.md5(data).hexdigest())
elif alg == "sha256":
    print(base64.b64encode(hashlib.sha256(data).digest()).decode())
elif alg == "crc32":
    print(base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode())
else:
    sys.exit("unknown digest " + alg)
' "$1" "$2"
}

# slice FILE OFFSET LENGTH: prints LENGTH bytes of FILE from OFFSET.
slice() {
  dd if="$1" bs=64K iflag=skip_bytes,count_bytes skip="$2" count="$3" status=none
}

# random_file PATH BYTES: a file of random bytes.
random_file() {
  head -c "$2" /dev/urandom >"$1"
}

# locate_python: sets E2E_PYTHON to python3's interpreter itself, not a
# version manager's shim, which would add processes to each of the ~170
# Python runs (the AWS CLI's and jget's).
locate_python() {
  E2E_PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) ||
    die "python3 is required"
  [[ -x $E2E_PYTHON ]] || E2E_PYTHON=python3
}

# locate_aws_cli: sets AWS_CLI to the command that runs the AWS CLI. When it
# is missing it is installed with pip, then with apt-get; if both fail the
# script stops.
locate_aws_cli() {
  if found_aws_cli; then
    return 0
  fi
  printf '# aws not found: trying python3 -m pip install awscli\n'
  if "$E2E_PYTHON" -m pip install --quiet awscli >&2 && found_aws_cli; then
    return 0
  fi
  printf '# pip could not install awscli: trying apt-get install -y awscli\n'
  local sudo=()
  if (($(id -u) != 0)) && command -v sudo >/dev/null 2>&1; then
    sudo=(sudo -n)
  fi
  # A fresh machine may have no package lists yet: update once and retry.
  if { "${sudo[@]}" apt-get install -y awscli >&2 ||
    { "${sudo[@]}" apt-get update >&2 && "${sudo[@]}" apt-get install -y awscli >&2; }; } &&
    found_aws_cli; then
    return 0
  fi
  die "the AWS CLI is missing and neither 'python3 -m pip install awscli' nor 'apt-get install -y awscli' installed it"
}

# found_aws_cli: sets AWS_CLI if an AWS CLI is installed: preferably as
# python3's module, which skips the shims that may stand in front of "aws".
found_aws_cli() {
  hash -r
  if "$E2E_PYTHON" -m awscli --version >/dev/null 2>&1; then
    AWS_CLI=("$E2E_PYTHON" -m awscli)
  elif command -v aws >/dev/null 2>&1; then
    AWS_CLI=(aws)
  else
    return 1
  fi
}

# isolate_aws_cli ACCESS_KEY SECRET_KEY: points the AWS CLI at a private
# configuration in E2E_TMP, so no user profile, environment credential or
# instance metadata lookup takes part.
isolate_aws_cli() {
  unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
    AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL \
    AWS_ENDPOINT_URL_S3 AWS_CA_BUNDLE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
  export AWS_CONFIG_FILE="$E2E_TMP/aws/config"
  export AWS_SHARED_CREDENTIALS_FILE="$E2E_TMP/aws/credentials"
  export AWS_EC2_METADATA_DISABLED=true
  export AWS_PAGER=""
  mkdir -p "$E2E_TMP/aws"
  # s3v4: CLI v1 presigns with SigV2 otherwise, which Cairn does not accept.
  # max_attempts 1: a server error must fail its check, not be retried away.
  cat >"$AWS_CONFIG_FILE" <<EOF
[default]
region = us-east-1
output = json
max_attempts = 1
retry_mode = standard
s3 =
    signature_version = s3v4
    addressing_style = path
EOF
  cat >"$AWS_SHARED_CREDENTIALS_FILE" <<EOF
[default]
aws_access_key_id = $1
aws_secret_access_key = $2
EOF
  chmod 600 "$AWS_SHARED_CREDENTIALS_FILE"
}

# with_keys ACCESS_KEY SECRET_KEY CMD...: runs CMD with other credentials.
with_keys() {
  (
    export AWS_ACCESS_KEY_ID=$1 AWS_SECRET_ACCESS_KEY=$2
    shift 2
    "$@"
  )
}

# aws_s3 ARGS... and aws_s3api ARGS...: the CLI against the Cairn under test.
aws_s3() { "${AWS_CLI[@]}" --endpoint-url "$ENDPOINT" s3 "$@"; }
aws_s3api() { "${AWS_CLI[@]}" --endpoint-url "$ENDPOINT" s3api "$@"; }

# start_cairn REPO ACCESS_KEY SECRET_KEY: builds cmd/cairn from REPO and
# starts it on a free loopback port with a fresh data directory. Sets
# CAIRN_PID, ENDPOINT and CAIRN_LOG.
start_cairn() {
  local repo=$1
  command -v go >/dev/null 2>&1 || die "go is not installed"
  (cd "$repo" && go build -o "$E2E_TMP/cairn" ./cmd/cairn) || die "go build ./cmd/cairn failed"
  CAIRN_LOG="$E2E_TMP/cairn.log"
  # Port 0 lets the kernel pick a free port: no race with a pre-picked one.
  # The subshell drops inherited CAIRN_* settings, then becomes the server,
  # so $! is the server's own pid.
  (
    while IFS= read -r name; do
      unset "$name"
    done < <(compgen -e | grep '^CAIRN_' || true)
    export CAIRN_ROOT_ACCESS_KEY=$2 CAIRN_ROOT_SECRET_KEY=$3
    exec "$E2E_TMP/cairn" server --listen 127.0.0.1:0 --data "$E2E_TMP/data" \
      --log-level info --region us-east-1
  ) >"$CAIRN_LOG" 2>&1 &
  CAIRN_PID=$!
  local addr="" i
  for ((i = 0; i < 200; i++)); do
    if ! kill -0 "$CAIRN_PID" 2>/dev/null; then
      cat "$CAIRN_LOG" >&2
      die "cairn exited at start-up"
    fi
    addr=$(sed -n 's/.*msg="cairn serving S3" listen=\([^ ]*\).*/\1/p' "$CAIRN_LOG" 2>/dev/null || true)
    if [[ -n $addr ]]; then
      break
    fi
    sleep 0.1
  done
  [[ -n $addr ]] || die "cairn did not log its listen address within 20 s"
  ENDPOINT="http://$addr"
  # Any HTTP status (anonymous requests get 403) means it answers.
  for ((i = 0; i < 100; i++)); do
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "$ENDPOINT/" || true) != 000 ]]; then
      return 0
    fi
    sleep 0.1
  done
  die "cairn at $ENDPOINT does not answer"
}

# stop_cairn: stops exactly the server start_cairn started: SIGTERM for a
# graceful shutdown, SIGKILL after 10 s.
stop_cairn() {
  local pid=${CAIRN_PID:-}
  [[ -n $pid ]] || return 0
  CAIRN_PID=""
  kill -TERM "$pid" 2>/dev/null || return 0
  local i
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
