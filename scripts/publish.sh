#!/usr/bin/env bash
# Restores and publishes the worker exactly as the Dockerfile's build stage does (keep the two in step:
# tests/Sync.Worker.Tests checks that the Dockerfile runs these same commands). No Docker engine runs on
# the project's machines, so CI runs this script to catch a broken publish.
#   scripts/publish.sh [OUTPUT_DIR]     default: artifacts/publish
# RUNTIME_IDENTIFIER (default linux-x64, as the Dockerfile's build argument) picks the one platform whose native
# SQLite library is published.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/publish}
RUNTIME_IDENTIFIER=${RUNTIME_IDENTIFIER:-linux-x64}

dotnet restore src/Sync.Worker/Sync.Worker.csproj -r "$RUNTIME_IDENTIFIER"
dotnet publish src/Sync.Worker/Sync.Worker.csproj -c Release -r "$RUNTIME_IDENTIFIER" --self-contained false --no-restore -o "$out"
