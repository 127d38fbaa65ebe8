#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// Ctrl-C: stop at once. Store writes are transactions, so an interrupted one
// rolls back; a run left RUNNING is marked FAILED by the next command.
process.once('SIGINT', () => {
  process.stderr.write('\ninterrupted\n');
  process.exit(130);
});

process.exitCode = await main(process.argv);
