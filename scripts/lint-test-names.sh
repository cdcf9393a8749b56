#!/usr/bin/env bash
# The vitest projects split by name: a test that reaches the local stand-ins (storage, the HTTP stack,
# agents, the local stack, the Lambda handlers) is named *.standin.test.ts, or the `unit` project,
# which starts no stand-ins, would run it; and a test named so reaches them.
set -euo pipefail
cd "$(dirname "$0")/.."
needs="(from|import\() *'([^']*/(support/(nomad|gitlab|git-cli|resources|web-ui)[^/']*|codearts/support|artifacts/helpers|infra/local/[^']*|functions/[^']*|shared/aws/[^']*)|@aws-sdk/[^']*)'"
misnamed=$(find test -name '*.test.ts' ! -name '*.standin.test.ts' -print0 | xargs -0 grep -lE "$needs" || true)
idle=$(find test -name '*.standin.test.ts' -print0 | xargs -0 grep -LE "$needs" || true)
if [ -n "$misnamed" ]; then
  echo "Tests that need the stand-ins but are not named *.standin.test.ts:" >&2
  echo "$misnamed" | sed 's/^/  /' >&2
fi
if [ -n "$idle" ]; then
  echo "Tests named *.standin.test.ts that reach no stand-in (name them *.test.ts):" >&2
  echo "$idle" | sed 's/^/  /' >&2
fi
[ -z "$misnamed$idle" ]
