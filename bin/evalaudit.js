#!/usr/bin/env node
import { main } from '../dist/src/cli.js';
import { finalExitCode } from '../dist/src/output/write.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = finalExitCode(code);
  },
  (err) => {
    process.stderr.write(`evalaudit: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 2;
  },
);
