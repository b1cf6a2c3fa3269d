// The `fin-hub` command's work (bin/fin-hub.ts is its entry point).
import { createHash } from 'node:crypto';
import nodeModule from 'node:module';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { flagHelp } from '../config/config-keys.js';
import type { HubConfig } from '../config/config-schema.js';
import { STDIO_SPARE_DATA_DIRS } from '../config/early-database.js';
import { CONFIG_FLAGS, ConfigError, defaultDataDir, loadConfig } from '../config/load-config.js';
import { resolveDatabaseTarget } from '../db/database-target.js';
import { type EmbeddedEngine, startEmbeddedWorker } from '../db/embedded-database.js';
import { createLogger, type Logger, resolveLogFormat } from '../logger.js';
import type { Hub } from '../main.js';
import type { ToolListMemory } from '../mcp/remembered-tool-list.js';
import { dropLogsWhenStderrCloses, whenStdoutCloses } from '../shared/closed-client-streams.js';
import { packageVersion } from '../shared/package-root.js';
import type { SpokeSupervisor } from '../spoke/spoke-supervisor.js';

// The hub, the spokes and the database driver are imported when a command needs them: loading
// everything up front cost a second before `fin-hub --stdio` could answer initialize.

const HELP = `fin-hub — an MCP hub for financial tool services

Usage:
  fin-hub [serve] [options]        HTTP mode: registry API /api/v1, MCP at /mcp, /health, /metrics, /docs
  fin-hub --stdio [options]        MCP over stdin/stdout (the registry API still listens unless --no-http)
  fin-hub spoke <market|risk|portfolio> [--port N] [--hub-url URL]   one reference spoke
  fin-hub migrate [--db ...]       run database migrations and exit

Exit codes: 0 done (or stopped by a signal or by stdin closing), 1 start-up or runtime failure,
2 bad command line or configuration.

Options (each also has an environment variable; docs/configuration.md lists every key):
${flagHelp()}
  --config <file>          JSON config file (the keys of docs/configuration.md, nested)
  --version, -v
  --help, -h
`;

/** How long a stdio hub's first answers wait, once it listens, for the spokes it starts to register. */
const SPOKE_WAIT_MS = 10_000;

/** The embedded database bin/fin-hub.ts started before this module loaded, and the directory it asked for. */
export interface EarlyDatabase {
  requestedDir: string;
  engine: EmbeddedEngine;
}

/**
 * The `fin-hub` command: parses the command line and runs the command. `early` is the embedded
 * database the entry point started for a stdio hub before loading this (it is used when the
 * configuration names the same directory, and closed otherwise).
 */
export async function runCli(argv: string[], early?: EarlyDatabase): Promise<number> {
  let pending = early;
  try {
    return await main(argv, () => {
      const taken = pending;
      pending = undefined;
      return taken;
    });
  } finally {
    await pending?.engine.close().catch(() => {});
  }
}

async function main(argv: string[], takeEarly: () => EarlyDatabase | undefined): Promise<number> {
  // Node 22.1+ keeps the compiled code of the modules loaded from here on (the hub, the spokes) in
  // its cache directory: later starts skip most of their parsing. Node 20 has no such cache.
  (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  const [first] = argv;
  if (first === 'spoke') {
    const { runReferenceSpoke } = await import('../spokes/run-reference-spoke.js');
    return runReferenceSpoke(argv.slice(1));
  }
  const command = first && !first.startsWith('-') ? first : 'serve';
  const rest = first && !first.startsWith('-') ? argv.slice(1) : argv;
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
  };
  for (const flag of CONFIG_FLAGS) options[flag.name] = { type: flag.boolean ? 'boolean' : 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: rest, options, strict: true, allowPositionals: false })
      .values as typeof values;
  } catch (error) {
    process.stderr.write(`fin-hub: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  // Asked for, help and version go to stdout (a usage error prints the help to stderr).
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  let config: HubConfig;
  try {
    config = loadConfig(values);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`fin-hub: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (command === 'migrate') return migrate(config);
  if (command !== 'serve') {
    process.stderr.write(`fin-hub: unknown command ${command}\n\n${HELP}`);
    return 2;
  }
  return serve(config, takeEarly);
}

async function migrate(config: HubConfig): Promise<number> {
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  const [{ openDatabase }, { migrateToLatest }] = await Promise.all([
    import('../db/database.js'),
    import('../db/migrate.js'),
  ]);
  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  try {
    database = await openDatabase({
      target: resolveDatabaseTarget(config.db, defaultDataDir()),
      schema: config.dbSchema,
      logger,
    });
    const applied = await migrateToLatest(database);
    logger.info(applied.length ? 'migrations applied' : 'database already up to date', {
      migrations: applied,
    });
    return 0;
  } catch (error) {
    // One line saying what failed, not a stack trace (the database is the usual suspect).
    process.stderr.write(`fin-hub migrate: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await database?.close().catch(() => {});
  }
}

async function serve(config: HubConfig, takeEarly: () => EarlyDatabase | undefined): Promise<number> {
  let hub: Hub | undefined;
  let spokes: SpokeSupervisor | undefined;
  let stopping: Promise<void> | undefined;
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  dropLogsWhenStderrCloses();
  // The last line of defence: an exception no request handler caught is logged and the process
  // keeps serving every other caller (each request path answers its own errors; this is for a
  // bug in a callback outside any of them). Node's default would exit and drop unwritten history.
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception (the hub keeps running)', { error: error.stack ?? String(error) });
  });
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled rejection (the hub keeps running)', {
      error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason),
    });
  });
  const stop = (reason: string) => {
    stopping ??= (async () => {
      logger.info('stopping', { reason });
      await spokes?.close();
      await hub?.close();
    })();
    return stopping;
  };
  let exitCode = 0;
  let hubReady: (hub: Hub) => void = () => {};
  let stdioEnded: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    let signalled = false;
    const onSignal = (signal: string) => {
      // A second signal means "now" (a stuck shutdown); stdin closing is not one (clients close
      // stdin and then signal), so the graceful shutdown and its history flush are kept.
      const again = signalled && signal !== 'stdin closed';
      if (signal !== 'stdin closed') signalled = true;
      if (again) {
        logger.warn('second signal: exiting now');
        process.exit(1);
      }
      stop(signal).then(resolve, (error) => {
        logger.error('shutdown failed', { error: String(error) });
        exitCode = 1;
        resolve();
      });
    };
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGHUP', () => onSignal('SIGHUP'));
    hubReady = (h) => {
      hub = h;
    };
    stdioEnded = () => onSignal('stdin closed');
    // A client that dies may close stdout before stdin's end is read: the same end.
    if (config.stdio) whenStdoutCloses(() => stdioEnded());
  });
  if (config.spokes.length > 0 && !config.http) {
    process.stderr.write('fin-hub: --spokes needs the HTTP API (spokes register over it); drop --no-http\n');
    return 2;
  }
  // A taken port is said before the database loads (a stdio hub takes a free one instead).
  if (config.http && !config.stdio && config.port !== 0 && !(await portIsFree(config.host, config.port))) {
    process.stderr.write(
      `fin-hub: port ${config.port} on ${config.host} is in use (another fin-hub or npm start?); stop it or choose another with --port\n`,
    );
    return 1;
  }
  try {
    // The embedded database starts on its thread first and loads while this one loads the hub.
    const target = resolveDatabaseTarget(config.db, defaultDataDir());
    // A stdio hub on the default directory takes a spare one when another hub holds it (two
    // desktop clients with one config); a directory named with --db is never swapped silently.
    const spareDirs = config.stdio && config.db === undefined ? STDIO_SPARE_DATA_DIRS : 0;
    // Started by the entry point when the command line alone said where it would be (stdio, the
    // default directory); the configuration decides, and anything else closes it.
    const early = takeEarly();
    const adopt =
      early && target.kind === 'embedded' && target.dataDir === early.requestedDir && spareDirs > 0;
    if (early && !adopt) await early.engine.close().catch(() => {});
    const embedded = adopt
      ? early.engine
      : target.kind === 'embedded'
        ? startEmbeddedWorker(target.dataDir === 'memory' ? 'memory://' : target.dataDir, { spareDirs })
        : undefined;
    if (
      embedded?.dataDir &&
      target.kind === 'embedded' &&
      target.dataDir !== 'memory' &&
      embedded.dataDir !== target.dataDir
    )
      logger.warn('the data directory is in use by another fin-hub; using a spare one', {
        in_use: target.dataDir,
        data_dir: embedded.dataDir,
      });
    if (embedded?.creating)
      logger.info('first run: creating the embedded database', { data_dir: embedded.dataDir });
    // The spokes' thread loads while the database opens; they register once the hub listens, and
    // the first tools/list over stdio waits (bounded) for them.
    let listening: (url: string) => void = () => {};
    let notListening: (error: Error) => void = () => {};
    const hubUrl = new Promise<string>((resolve, reject) => {
      listening = resolve;
      notListening = reject;
    });
    hubUrl.catch(() => {});
    // The spokes' thread starts first: its loading is the longest way to the first tools/list.
    let spokesArrived: Promise<void> | undefined;
    if (config.spokes.length > 0) {
      const { startSpokeSupervisor } = await import('../spoke/spoke-supervisor.js');
      spokes = startSpokeSupervisor({
        names: config.spokes,
        hubUrl,
        logger: logger.child({ component: 'spokes' }),
        logLevel: config.logLevel,
        logFormat: resolveLogFormat(config.logFormat),
        // Stable per database: the same hub restarted replaces its instances instead of adding some.
        instanceKey: createHash('sha256')
          .update(embedded?.dataDir ?? `${hostname()}:${config.port}`)
          .digest('hex')
          .slice(0, 8),
      });
      // Counted from when the hub listens: a slow database start is not the spokes' lateness.
      const supervisor = spokes;
      const arrived = hubUrl
        .then(() => supervisor.registered(SPOKE_WAIT_MS))
        .then(({ late }) => {
          if (late.length > 0)
            logger.warn('spokes late: the first tools/list goes without their tools', {
              late,
              waited_ms: SPOKE_WAIT_MS,
            });
        });
      spokesArrived = arrived;
    }
    // The hub's code loads while stdio answers initialize (a dynamic import runs on this thread,
    // but its file reads overlap): both are on the way to the first tools/list.
    const hubModule = import('../main.js');
    hubModule.catch(() => {});
    // MCP clients time out an unanswered initialize: stdio answers it before the hub has loaded.
    const stdioFront = config.stdio
      ? (await import('../mcp/stdio-front.js')).openStdioFront({
          version: packageVersion(),
          pageSize: config.mcp.pageSize,
          onEnd: () => stdioEnded(),
          memory:
            embedded?.dataDir && target.kind === 'embedded' && target.dataDir !== 'memory'
              ? await rememberedToolList(
                  config,
                  embedded.dataDir,
                  embedded.creating ?? false,
                  logger,
                  () => stopping !== undefined,
                )
              : undefined,
        })
      : undefined;
    if (spokesArrived) stdioFront?.hold(spokesArrived);
    const { startHub } = await hubModule;
    const started = await startHub(config, {
      logger,
      onStdioEnd: () => stdioEnded(),
      pglite: embedded,
      ownsPglite: true,
      stdioFront,
    }).catch(async (error: unknown) => {
      stdioFront?.fail(new Error(`fin-hub could not start: ${(error as Error).message}`));
      notListening(error as Error);
      await embedded?.close().catch(() => {});
      throw error;
    });
    hubReady(started);
    if (started.url) {
      // Outside spokes find a hub on a free port through its lock file (README: stdio hubs).
      embedded?.describe?.({ url: started.url });
      listening(started.url);
    }
  } catch (error) {
    logger.error('start-up failed', { error: (error as Error).message });
    await stop('start-up failed').catch(() => {});
    return 1;
  }
  await finished;
  return exitCode;
}

/**
 * The tool list a desktop hub on its own data directory served last time, and where it keeps the
 * next one. Nothing is remembered once the hub stops: its spokes leave the registry then, and the
 * next run should list them.
 */
async function rememberedToolList(
  config: HubConfig,
  dataDir: string,
  creating: boolean,
  logger: Logger,
  isStopping: () => boolean,
): Promise<ToolListMemory> {
  const { openToolListMemory, toolListFileOf, toolListKey } = await import('../mcp/remembered-tool-list.js');
  const memory = openToolListMemory({
    file: toolListFileOf(dataDir),
    key: toolListKey(packageVersion(), config),
    logger: logger.child({ component: 'mcp' }),
    fresh: creating,
  });
  return {
    remembered: memory.remembered,
    remember: (list) => {
      if (!isStopping()) memory.remember(list);
    },
  };
}

/** Whether a listener could bind host:port now (it is closed again at once). */
function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}
