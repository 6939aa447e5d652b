#!/usr/bin/env node
import { fileURLToPath } from 'node:url';

// A clone linked with `npm install -g .` has no dist/: say how to install rather than print a stack.
import('../dist/src/cli.js').catch((error) => {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('/dist/src/cli.js')) throw error;
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`tunnel-config: ${root} is not built; install it with: cd ${root} && npm ci && npm pack && npm install -g ./tunnel-config-*.tgz\n`);
  process.exitCode = 1;
});
