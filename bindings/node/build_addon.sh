#!/usr/bin/env bash
# Build the addon against one libnax build tree and copy it there:
#   build_addon.sh NAX_BUILD_DIR DEST.node
# Installs the pinned node-gyp into node_modules/ on the first run (npm
# registry), then `npm run build` (node-gyp --nodedir=/usr: the headers of
# the installed node, nothing downloaded). ctest runs it as the setup of
# node_binding and example_node_bot.
set -euo pipefail
build_dir=$1
dest=$2
cd "$(dirname "$0")"

want=$(node -p "require('./package.json').devDependencies['node-gyp']")
have=$(node -p "try { require('./node_modules/node-gyp/package.json').version } catch (e) { '' }")
if [[ $want != "$have" ]]; then
    echo "installing node-gyp $want into $(pwd)/node_modules"
    npm install --no-audit --no-fund --no-package-lock
fi
if [[ ! -f /usr/include/node/node_api.h ]]; then
    echo "no Node headers in /usr/include/node (Debian: libnode-dev)" >&2
    exit 1
fi
NAX_BUILD_DIR=$build_dir npm run --silent build >"$build_dir/nax_node_build.log" 2>&1 || {
    tail -n 40 "$build_dir/nax_node_build.log" >&2
    exit 1
}
mkdir -p "$(dirname "$dest")"
cp build/Release/nax_node.node "$dest"
echo "built $dest against $build_dir"
