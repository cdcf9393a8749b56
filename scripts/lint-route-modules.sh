#!/usr/bin/env bash
# One routing idiom: a route module (shared/<dialect>/http/*-routes.ts) exports its routes, a
# mount…Routes(app) its dialect's router.ts calls in plain sight; importing it registers nothing.
# A statement that calls something at the top of such a module (`gitlab.get(…)`, `route(…)`) does.
set -euo pipefail
cd "$(dirname "$0")/.."
found=$(grep -nE '^[A-Za-z_$][A-Za-z0-9_$.]*\(' shared/*/http/*-routes.ts shared/*/git/*-routes.ts || true)
if [ -n "$found" ]; then
  echo "Route modules that register routes when imported (export a mount…Routes(app) for router.ts instead):" >&2
  echo "$found" | sed 's/^/  /' >&2
  exit 1
fi
