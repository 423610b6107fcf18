'use strict';
// Loads the addon (build/Release/nax_node.node, or $NAX_NODE_ADDON) and
// hands it the error factory and JSON.parse it calls from C.
const path = require('node:path');
const errors = require('./errors');

const file = process.env.NAX_NODE_ADDON ||
  path.join(__dirname, '..', 'build', 'Release', 'nax_node.node');
let binding;
try {
  binding = require(file);
} catch (e) {
  e.message = `nax: cannot load the addon ${file} (run \`npm run build\` with ` +
    `NAX_BUILD_DIR set to a libnax build tree): ${e.message}`;
  throw e;
}
binding.setup(errors.fromNative, JSON.parse);
module.exports = binding;
