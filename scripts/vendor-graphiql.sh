#!/usr/bin/env bash
# Fetches GraphiQL's browser files, at exactly the pinned versions, from the npm registry into
# assets/graphiql/, and records name, version and sha256 of each in assets/graphiql/VERSIONS.
# The binary embeds these files (src/http/graphiql.rs), so GraphiQL works without internet.
#
# To update: change a version below, run this script, rebuild, and commit assets/graphiql/.
# The file names stay the same; the served URLs carry the versions read from VERSIONS.
#
# graphql-ws is not vendored: graphiql.min.js bundles its client, which
# `GraphiQL.createFetcher({ url, subscriptionUrl })` uses for subscriptions.
set -euo pipefail

REACT_VERSION=18.3.1
GRAPHIQL_VERSION=3.9.0

cd "$(dirname "$0")/.."
out=assets/graphiql
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# package version file-in-package
files=(
  "react $REACT_VERSION umd/react.production.min.js"
  "react-dom $REACT_VERSION umd/react-dom.production.min.js"
  "graphiql $GRAPHIQL_VERSION graphiql.min.js"
  "graphiql $GRAPHIQL_VERSION graphiql.min.css"
)

mkdir -p "$out"
versions="$tmp/VERSIONS"
{
  echo "# Written by scripts/vendor-graphiql.sh: package version sha256 file (from the npm registry)."
} >"$versions"

for entry in "${files[@]}"; do
  read -r pkg version path <<<"$entry"
  dir="$tmp/$pkg-$version"
  if [ ! -d "$dir" ]; then
    mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$pkg@$version" >/dev/null && tar xzf ./*.tgz)
  fi
  name=$(basename "$path")
  cp "$dir/package/$path" "$out/$name"
  sum=$(sha256sum "$out/$name" | cut -d' ' -f1)
  echo "$pkg $version $sum $name" >>"$versions"
done

cp "$versions" "$out/VERSIONS"
cat "$out/VERSIONS"
