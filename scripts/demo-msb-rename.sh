#!/usr/bin/env bash
# Shows the MSB → Myndigheten för civilt försvar rename done in one edit in the editor area.
# 1. publishes the default guide with MCF's entry set back to the old name (as the seed guide had it),
# 2. logs in, changes the publisher's name once, publishes,
# 3. counts the reader pages that show each name before and after.
# Usage: scripts/demo-msb-rename.sh [path/to/cyberguide]   (default build/release/cyberguide)
set -euo pipefail
BIN=${1:-build/release/cyberguide}
D=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$D"' EXIT
PORT=18181 B=http://127.0.0.1:18181

# The guide as it stood in 2025: MCF's entry still named MSB.
"$BIN" serve --data "$D/data" --port 0 >/dev/null 2>&1 & PID=$!; sleep 2; kill "$PID"; wait "$PID" || true
"$BIN" content export "$D/pack" --data "$D/data" >/dev/null
python3 - "$D/pack/publishers.toml" <<'PY'
import sys; p = sys.argv[1]; s = open(p, encoding='utf-8').read()
s = s.replace('short_name = "MCF"\nname = "Myndigheten för civilt försvar"\nformer_names = ["MSB", "Myndigheten för samhällsskydd och beredskap"]',
              'short_name = "MSB"\nname = "Myndigheten för samhällsskydd och beredskap"\nformer_names = []')
open(p, 'w', encoding='utf-8').write(s)
PY
"$BIN" content import "$D/pack" --publish --data "$D/data" >/dev/null
printf '%s\n' 'ett långt lösenord 123' | "$BIN" user add redaktor --role editor --password-stdin --data "$D/data" >/dev/null
"$BIN" serve --data "$D/data" --port $PORT --access-log false >"$D/log" 2>&1 & PID=$!
for _ in $(seq 50); do curl -fs $B/healthz >/dev/null && break; sleep 0.2; done

count() {  # pages among every reader page that show the text
  local n=0
  for p in $(curl -s $B/ | grep -o 'href="/[a-z/-]*"' | sed 's/href="//;s/"//' | sort -u) \
           $(for s in "$D"/pack/resources/*.toml; do basename "$s" .toml | sed 's|^|/resurser/|'; done); do
    curl -s "$B$p" | grep -q "$1" && n=$((n + 1))
  done
  echo "$n"
}
echo "before: pages naming 'Myndigheten för samhällsskydd och beredskap': $(count 'Myndigheten för samhällsskydd och beredskap'), 'Myndigheten för civilt försvar': $(count 'Myndigheten för civilt försvar')"

COOKIE=$(curl -s -D - -o /dev/null -H "Origin: $B" --data-urlencode username=redaktor \
  --data-urlencode 'password=ett långt lösenord 123' $B/admin/logga-in | sed -n 's/^Set-Cookie: cg_session=\([0-9a-f]*\).*/\1/p')
csrf() { curl -s -b "cg_session=$COOKIE" "$B$1" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//;s/"//'; }
# The one edit.
curl -s -o /dev/null -w "edit: %{http_code}\n" -b "cg_session=$COOKIE" -H "Origin: $B" \
  --data-urlencode "csrf=$(csrf /admin/utgivare/mcf)" --data-urlencode slug=mcf --data-urlencode short_name=MCF \
  --data-urlencode 'name=Myndigheten för civilt försvar' \
  --data-urlencode $'former_names=MSB\nMyndigheten för samhällsskydd och beredskap' \
  --data-urlencode home_page=https://www.mcf.se/ $B/admin/utgivare/mcf
TOKEN=$(curl -s -b "cg_session=$COOKIE" $B/admin/utkast | grep -o 'name="draft" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//;s/"//')
curl -s -o /dev/null -w "publish: %{http_code}\n" -b "cg_session=$COOKIE" -H "Origin: $B" \
  --data-urlencode "csrf=$(csrf /admin/utkast)" --data-urlencode "draft=$TOKEN" \
  --data-urlencode 'message=MSB heter Myndigheten för civilt försvar sedan 2026-01-01' $B/admin/publicera
sleep 1.5
echo "after:  pages naming 'Myndigheten för samhällsskydd och beredskap': $(count 'Myndigheten för samhällsskydd och beredskap'), 'Myndigheten för civilt försvar (tidigare MSB)': $(count 'Myndigheten för civilt försvar (tidigare MSB)')"
