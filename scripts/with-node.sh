#!/bin/sh
# Runs a command with a Node.js that otelkit supports (>= 22.15) first on PATH.
#
#   sh scripts/with-node.sh npm run test:node      # the node on PATH if it is new enough, else Node 24
#   NODE_MAJOR=22 sh scripts/with-node.sh node -v  # exactly the 22 line
#   NODE_MAJOR=22.15 sh scripts/with-node.sh …      # 22.15.0, the oldest Node otelkit supports
#
# A Node that is not installed is fetched once from the npm registry (the node-<os>-<arch>
# packages carry the official binaries) into .node/<version>/ of this repository.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
want=${NODE_MAJOR:-}

# The versions this project tests on; bump them together with .ci/run's expectations.
version_for() {
  case "$1" in
    22) echo 22.23.5 ;;
    24) echo 24.22.3 ;;
    22.15) echo 22.15.0 ;;
    *) echo "with-node: NODE_MAJOR must be 22, 24 or 22.15, not '$1'" >&2; exit 2 ;;
  esac
}

# The node on PATH is used as it is when it fits the request.
if command -v node >/dev/null 2>&1; then
  current=$(node -p 'process.versions.node' 2>/dev/null || echo 0.0.0)
  major=${current%%.*}
  rest=${current#*.}
  minor=${rest%%.*}
  if [ -z "$want" ]; then
    if [ "$major" -gt 22 ] || { [ "$major" -eq 22 ] && [ "$minor" -ge 15 ]; }; then exec "$@"; fi
  elif [ "$major" = "$want" ] || [ "$current" = "$(version_for "$want")" ]; then
    exec "$@"
  fi
fi

version=$(version_for "${want:-24}")
dir="$root/.node/$version"
if [ ! -x "$dir/bin/node" ]; then
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) echo "with-node: no Node package for $(uname -s); install Node >= 22.15 yourself" >&2; exit 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "with-node: no Node package for $(uname -m); install Node >= 22.15 yourself" >&2; exit 1 ;;
  esac
  echo "with-node: installing Node $version (node-$os-$arch from the npm registry) into .node/$version" >&2
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-$os-$arch@$version" >/dev/null)
  rm -rf "$dir.partial" && mkdir -p "$dir.partial"
  tar xzf "$tmp"/node-*.tgz -C "$dir.partial" --strip-components=1
  rm -rf "$tmp" "$dir" && mv "$dir.partial" "$dir"
fi
PATH="$dir/bin:$PATH"
export PATH
exec "$@"
