#!/usr/bin/env bash
# Restores and publishes the worker exactly as the Dockerfile's build stage does (keep the two in step:
# tests/Sync.Worker.Tests checks that the Dockerfile runs these same commands). No Docker engine runs on
# the project's machines, so CI runs this script to catch a broken publish.
#   scripts/publish.sh [OUTPUT_DIR]     default: artifacts/publish
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/publish}

dotnet restore src/Sync.Worker/Sync.Worker.csproj
dotnet publish src/Sync.Worker/Sync.Worker.csproj -c Release --no-restore -o "$out"
