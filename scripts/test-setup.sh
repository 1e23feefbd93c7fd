#!/usr/bin/env bash
# Set-up for `npm test` on a fresh Debian machine with Node: the Debian packages the tests run for real
# (librdkafka's mock Kafka cluster, Ceph's RADOS Gateway for S3, QuickFIX C++ as the FIX interop peer, Chromium for the
# dashboard's browser test, Prometheus' Python client to parse /metrics independently), QuickFIX's acceptance-test scripts (scripts/fetch-quickfix.sh, into .cache/), then the
# TypeScript build.
# Idempotent and quick when everything is there already.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(librdkafka-dev radosgw ceph-mon ceph-osd libquickfix-dev g++ chromium python3-prometheus-client)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" = "0" ]; then
    echo "test-setup: installing Debian packages: ${missing[*]}" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}") >&2
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    echo "test-setup: installing Debian packages with sudo: ${missing[*]}" >&2
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}") >&2
  else
    echo "test-setup: the tests need Debian packages that are missing: ${missing[*]}" >&2
    echo "test-setup: run as root:  $cmd" >&2
    exit 1
  fi
fi

bash scripts/fetch-quickfix.sh >/dev/null

npx tsc -p tsconfig.json
