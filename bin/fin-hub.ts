#!/usr/bin/env node
// The `fin-hub` command. This entry point stays small on purpose: when the command line alone says
// that a stdio hub will open the default embedded database, that database starts loading on its
// thread before the rest of the command is even read (about 0.2 s of module loading), because the
// database's start is the longest way to a desktop client's first tools/list (bench/desktop.ts).
import { earlyStdioDataDir, STDIO_SPARE_DATA_DIRS } from '../src/config/early-database.js';
import { startEmbeddedWorker } from '../src/db/embedded-database.js';
import { keepYoungGenerationSmall } from '../src/shared/small-young-generation.js';

const argv = process.argv.slice(2);
// Before anything else allocates: a stdio hub is a desktop's, and its memory counts (small-young-generation.ts).
if (argv.includes('--stdio')) keepYoungGenerationSmall();
const requestedDir = earlyStdioDataDir(argv);
const early = requestedDir
  ? { requestedDir, engine: startEmbeddedWorker(requestedDir, { spareDirs: STDIO_SPARE_DATA_DIRS }) }
  : undefined;

import('../src/cli/fin-hub-cli.js')
  .then(({ runCli }) => runCli(argv, early))
  .then(
    (code) => {
      process.exitCode = code;
      // Open upstream sockets or timers must not keep a stopped hub alive.
      setTimeout(() => process.exit(code), 500).unref();
    },
    (error) => {
      process.stderr.write(`fin-hub: ${(error as Error).stack ?? error}\n`);
      process.exit(1);
    },
  );
