// The package entry for plain Node (CommonJS): the sources are TypeScript, loaded through tsx's
// namespaced require (no build step, and no hooks registered for the caller's own files).
'use strict';
const { register } = require('tsx/cjs/api');

const tsx = register({ namespace: 'vta-ts' });
module.exports = tsx.require('./index.ts', __filename);
