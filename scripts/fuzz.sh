#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a while (default 30s each).
# The seed corpora already run as ordinary tests in `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-30s}
status=0
while IFS= read -r pkg; do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "== $pkg $target"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" || status=1
  done
done < <(go list ./...)
exit $status
