#!/usr/bin/env bash
# Runs every Hark test: the .NET suites and the C runtime suites. Installs what the tests need first.
# Exit status is non-zero if anything failed. Real-speech tests skip with a message when
# ../shared/data/speech-commands-dev is absent.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
cd "$root"

"$root/scripts/ensure-debs" espeak-ng flite
"$root/scripts/ensure-npm"

status=0
results="$root/.hark/test-results"
rm -rf "$results"; mkdir -p "$results"

dotnet build Hark.slnx -c Release --nologo -v q -warnaserror || exit 1
for proj in tests/*/*.csproj; do
  name="$(basename "$proj" .csproj)"
  echo "== $name"
  dotnet test "$proj" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" || status=1
done

# One closing line over all suites, read from the trx reports.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  c=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$c"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$c")
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$c")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit $status
