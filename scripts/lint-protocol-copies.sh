#!/usr/bin/env bash
# The GitLab runner protocol is one module both ends import (shared/gitlab/entities/runner-protocol.ts):
# the agent declares none of its names again, since a copy drifts from the server's shapes without
# the compiler noticing.
set -euo pipefail
cd "$(dirname "$0")/.."
protocol=shared/gitlab/entities/runner-protocol.ts
names=$(grep -oE '^export (interface|type|class|enum|const|function) [A-Za-z_$][A-Za-z0-9_$]*' "$protocol" | awk '{print $NF}' | paste -sd'|')
copies=$(grep -rnE "^\s*(export )?(interface|type|class|enum|const|function) ($names)\b" agent || true)
if [ -n "$copies" ]; then
  echo "The agent declares its own copy of a runner protocol shape (import it from $protocol):" >&2
  echo "$copies" | sed 's/^/  /' >&2
  exit 1
fi
