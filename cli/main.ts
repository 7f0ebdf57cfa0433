// Entry point of the `vta` command (bin/vta.js loads this file through tsx).

import { main } from './dispatch';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // main() reports its own errors; this is a last resort that still keeps to one line.
    process.stderr.write(`vta: ${e instanceof Error ? e.message : String(e)} (internal error; run with VTA_DEBUG=1 for the stack)\n`);
    if (process.env.VTA_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exitCode = 1;
  },
);
