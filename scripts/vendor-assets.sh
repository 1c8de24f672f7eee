#!/bin/sh
# vendor-assets.sh refreshes the front-end files vendored into internal/web/static/vendor from
# npm, records their versions and SHA-256 sums in VERSIONS, and prints the sums. The program
# itself never fetches anything: the vendored files are committed.
#
# Usage: scripts/vendor-assets.sh            (from the repository root; needs npm and sha256sum)
set -eu

HTMX_VERSION=2.0.11

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/internal/web/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$dest"
(cd "$work" && npm pack --silent "htmx.org@$HTMX_VERSION" >/dev/null)
tar -xzf "$work/htmx.org-$HTMX_VERSION.tgz" -C "$work"
cp "$work/package/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$work/package/LICENSE" "$dest/htmx.LICENSE"

sum=$(sha256sum "$dest/htmx.min.js" | cut -d' ' -f1)
cat >"$dest/VERSIONS" <<END
# Vendored front-end assets: refresh with scripts/vendor-assets.sh, never edit by hand.
# file            package@version          sha256
htmx.min.js       htmx.org@$HTMX_VERSION    $sum
END
echo "htmx.org@$HTMX_VERSION htmx.min.js sha256 $sum"
