'use strict';
// nax: the Node binding of libnax (see README.md and index.d.ts).

const binding = require('./lib/native');
const errors = require('./lib/errors');
const { Client } = require('./lib/client');
const { Stream } = require('./lib/stream');
const { Decimal } = require('./lib/decimal');
const { webhook, signRequest } = require('./lib/webhook');

module.exports = {
  Client,
  Stream,
  Decimal,
  webhook,
  signRequest,
  /** The version of the libnax actually loaded, e.g. "0.1.0". */
  libraryVersion: binding.version(),
  ...errors,
};
