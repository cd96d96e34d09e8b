#!/bin/sh
# The JS client's checks, run by `mvn verify` (clients/js/pom.xml) and runnable by hand:
#   node --test against a fake WebSocket and fake timers, then tsc --noEmit on the declarations.
# TypeScript is pinned by package-lock.json and installed with `npm ci` when missing or stale.
# Without node/npm: skipped on a developer machine, an error under CI=true.
set -eu
cd "$(dirname "$0")/.."

case "${CI:-}" in
  ""|false|FALSE|False|0) ci=false ;;
  *) ci=true ;;
esac

missing=""
command -v node >/dev/null 2>&1 || missing="node"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
  if [ "$ci" = true ]; then
    echo "presence-client.js: $missing not found; under CI the JS tests and type check must run (apt-get install -y nodejs npm)" >&2
    exit 1
  fi
  echo "presence-client.js: $missing not found; SKIPPING the JS client's tests and type check (CI runs them)"
  exit 0
fi

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
  echo "presence-client.js: node $(node --version) is too old; node --test needs 18 or later" >&2
  exit 1
fi

node --test --test-reporter=spec test/presence-client.test.js test/thread-user.test.js

pinned=$(node -p 'require("./package-lock.json").packages["node_modules/typescript"].version')
installed=$(node -p 'try { require("./node_modules/typescript/package.json").version } catch (e) { "" }')
if [ "$pinned" != "$installed" ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "presence-client.d.ts: tsc $(node_modules/.bin/tsc --version) --noEmit"
node_modules/.bin/tsc -p tsconfig.json --noEmit
echo "presence-client.d.ts: type check passed"

# What `npm pack` would put in the tarball: the module, its types, the README and package.json.
packed=$(npm pack --dry-run --json --loglevel=error | node -e '
  let s = ""; process.stdin.on("data", (d) => { s += d; }).on("end", () => {
    console.log(JSON.parse(s)[0].files.map((f) => f.path).sort().join(" "));
  });')
if [ "$packed" != "README.md package.json presence-client.d.ts presence-client.js" ]; then
  echo "npm pack would ship: $packed" >&2
  exit 1
fi
echo "npm pack: $packed"
