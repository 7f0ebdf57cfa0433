// Entry point of the `vta` command (bin/vta.js loads this file through tsx).

import { main } from './dispatch';
import { EXIT_INTERRUPTED } from './errors';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Ctrl-C: the command wrote what it finished; workers and threads still running end with the process
    if (code === EXIT_INTERRUPTED) process.exit(code);
  },
  (e: unknown) => {
    // main() reports its own errors; this is a last resort that still keeps to one line.
    process.stderr.write(`vta: ${e instanceof Error ? e.message : String(e)} (internal error; run with VTA_DEBUG=1 for the stack)\n`);
    if (process.env.VTA_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exitCode = 1;
  },
);
