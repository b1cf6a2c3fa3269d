import { homedir } from 'node:os';
import { join } from 'node:path';

/** The default directory of the embedded database (FIN_HUB_HOME moves it). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.FIN_HUB_HOME ? join(env.FIN_HUB_HOME, 'data') : join(homedir(), '.fin-hub', 'data');
}
