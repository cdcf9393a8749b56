#!/usr/bin/env bash
# One place per wire format, for what imports can't show: the keys only Nomad's responses carry
# (their QueryMeta and the write answers' own fields) are spelled only in shared/nomad/wire/ (and
# the domain types of structs/); a service returns domain values, its route renders them there.
# shared/openapi/ describes those answers for the OpenAPI document (checked against live answers).
set -euo pipefail
cd "$(dirname "$0")/.."
keys='KnownLeader|LastContact|NextToken|EvalCreateIndex|DeploymentModifyIndex|NodeModifyIndex|DispatchedJobID|HeartbeatTTL|VolumeEvalID|RevertedJobVersion|JobStopped|DriverConfigValidated|Truncations'
found=$(grep -rnE "\b($keys)\??[[:space:]]*:" shared agent functions --include='*.ts' \
  | grep -vE '^shared/(nomad/(wire|structs)|openapi)/' || true)
if [ -n "$found" ]; then
  echo "Nomad response keys spelled outside shared/nomad/wire/ (render the response in a wire/ module):" >&2
  echo "$found" | sed 's/^/  /' >&2
  exit 1
fi
