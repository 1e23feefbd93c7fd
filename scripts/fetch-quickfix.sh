#!/usr/bin/env bash
# Fetches QuickFIX's source from Debian's source package into .cache/quickfix/ for the FIX tests: its acceptance-test
# scripts (test/definitions/server/fix44/*.def) and spec/FIX44.xml (the data dictionary of the QuickFIX C++ peer).
# Nothing of it is committed. apt-get runs with its own source list (scripts/deb-src.list) and its own index and
# cache directories under .cache/, so the system's apt configuration is neither needed nor touched, and no root.
# `apt-get source --download-only` does not need dpkg-dev (only unpacking with dpkg-source would); we untar ourselves.
# Idempotent: a no-op when the sources are there. Prints the source directory.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="$PWD/.cache/quickfix"
src="$cache/src"
if [ -d "$src/test/definitions/server/fix44" ] && [ -f "$src/spec/FIX44.xml" ]; then
  echo "$src"
  exit 0
fi

mkdir -p "$cache/lists/partial" "$cache/apt/archives/partial"
opts=(
  -o "Dir::Etc::sourcelist=$PWD/scripts/deb-src.list"
  -o "Dir::Etc::sourceparts=-"
  -o "Dir::State::Lists=$cache/lists"
  -o "Dir::Cache=$cache/apt"
)
# As root apt drops to the _apt user, which cannot write into the repository: download as ourselves.
[ "$(id -u)" = "0" ] && opts+=(-o "APT::Sandbox::User=root")

echo "fetch-quickfix: downloading the quickfix source package from Debian" >&2
apt-get "${opts[@]}" -qq update >&2
(cd "$cache" && apt-get "${opts[@]}" -qq source --download-only quickfix >&2)

tarball=$(ls "$cache"/quickfix_*.orig.tar.gz | head -n 1)
tmp=$(mktemp -d "$cache/untar.XXXXXX")
tar --no-same-owner -xzf "$tarball" -C "$tmp"
rm -rf "$src"
mv "$tmp"/quickfix-* "$src"
rmdir "$tmp"
echo "$src"
