#!/usr/bin/env bash
# The storage wall for what imports can't show: DynamoDB's request words are spelled only inside
# store/, storage/ and aws/ (the services compose the items those modules build).
set -euo pipefail
cd "$(dirname "$0")/.."
found=$(grep -rlE '\b(TableName|ConditionExpression|UpdateExpression|KeyConditionExpression)\b' shared agent functions \
  | grep -vE '(^|/)(store|storage|aws)/' || true)
if [ -n "$found" ]; then
  echo "DynamoDB request spelled outside store/, storage/ and aws/ (move it into a store module):" >&2
  echo "$found" | sed 's/^/  /' >&2
  exit 1
fi
