#!/usr/bin/env bash
# The layer check must fail on a wrong include: a copy of host/src with one include that points
# up (http -> service) and one sideways (admin -> monitor) is refused, each named with file and
# line, and the unchanged copy passes.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/host/src" "$work/src"

"$root/scripts/check-layers" "$work/src" >/dev/null || { echo "FAIL: the unchanged tree was refused"; exit 1; }

sed -i '1a #include "service/LocalService.h"' "$work/src/http/Router.cpp"
sed -i '1a #include "monitor/ServiceHealthMonitor.h"' "$work/src/admin/AdminApi.cpp"
if out="$("$root/scripts/check-layers" "$work/src" 2>&1)"; then
  echo "FAIL: planted includes were accepted:"; echo "$out"; exit 1
fi
grep -q "http/Router.cpp:2: http may not include service/LocalService.h" <<<"$out" ||
  { echo "FAIL: the upward include is not named:"; echo "$out"; exit 1; }
grep -q "admin/AdminApi.cpp:2: admin may not include monitor/ServiceHealthMonitor.h" <<<"$out" ||
  { echo "FAIL: the sideways include is not named:"; echo "$out"; exit 1; }

mkdir "$work/src/newfolder"
sed -i '2d' "$work/src/http/Router.cpp" "$work/src/admin/AdminApi.cpp"
if out="$("$root/scripts/check-layers" "$work/src" 2>&1)"; then
  echo "FAIL: a folder without a layer was accepted"; exit 1
fi
grep -q "newfolder: folder not listed" <<<"$out" || { echo "FAIL: unlisted folder not named:"; echo "$out"; exit 1; }
echo "PASS: planted includes and an unlisted folder are refused; the real tree passes"
