import { defaultDataDir } from './default-data-dir.js';

/** Spare data directories a stdio hub may take when another hub holds the default one. */
export const STDIO_SPARE_DATA_DIRS = 8;

/** Options that could name another database, on the command line or in the environment. */
const NAMES_A_DATABASE = ['--db', '--config'];
export const ENVIRONMENT_NAMING_A_DATABASE = ['FIN_HUB_DB', 'DATABASE_URL', 'FIN_HUB_CONFIG'];

/**
 * The embedded data directory a `fin-hub --stdio` start is going to open, known from the command
 * line and environment alone — or undefined whenever anything could say otherwise (a command, a
 * database or config option, help or version). The configuration still decides: a directory it
 * does not confirm is closed again (src/cli/fin-hub-cli.ts).
 */
export function earlyStdioDataDir(argv: string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-') && first !== 'serve') return undefined;
  if (!argv.includes('--stdio')) return undefined;
  for (const arg of argv) {
    if (['--help', '-h', '--version', '-v'].includes(arg)) return undefined;
    if (NAMES_A_DATABASE.some((option) => arg === option || arg.startsWith(`${option}=`))) return undefined;
  }
  if (ENVIRONMENT_NAMING_A_DATABASE.some((name) => env[name])) return undefined;
  return defaultDataDir(env);
}
