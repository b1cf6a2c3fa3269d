import winston from 'winston';

/** The part of a logger that code depends on; winston's Logger satisfies it. */
export interface Logger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  child(meta: Record<string, unknown>): Logger;
  /** Whether a level is logged: winston formats every message it is given, even one it then drops. */
  isLevelEnabled(level: string): boolean;
}

const LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];

/** How log lines look: JSON lines for machines, one coloured line for a person at a terminal. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** `auto` is pretty when stderr is a terminal, JSON otherwise (a pipe, a file, a log collector). */
export function resolveLogFormat(format: LogFormat = 'auto'): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return process.stderr.isTTY ? 'pretty' : 'json';
}

/**
 * Log lines on stderr, every level: stdout belongs to MCP over stdio, so winston's Console
 * transport is told that every level is a "stderr level".
 */
export function createLogger(options: { level: string; component?: string; format?: LogFormat }): Logger {
  const pretty = resolveLogFormat(options.format) === 'pretty';
  // The component as a default, not winston's defaultMeta: that one is applied last and so
  // overwrote every child's own component (every line said "hub").
  const component = winston.format((info) => {
    info.component ??= options.component ?? 'hub';
    return info;
  })();
  return winston.createLogger({
    level: options.level,
    format: pretty
      ? winston.format.combine(component, winston.format.timestamp({ format: 'HH:mm:ss' }), prettyLine())
      : winston.format.combine(component, winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console({ stderrLevels: LEVELS })],
  });
}

const COLOURS: Record<string, string> = { error: '31', warn: '33', info: '36', http: '90', debug: '90' };

/** `12:04:31 INFO  hub    fin-hub listening  url=http://127.0.0.1:8000 mcp=…` */
function prettyLine() {
  return winston.format.printf((entry) => {
    const { level, message, timestamp, component, ...fields } = entry as Record<string, unknown>;
    const colour = COLOURS[String(level)] ?? '0';
    const label = `\x1b[${colour}m${String(level).toUpperCase().padEnd(5)}\x1b[0m`;
    const rest = Object.entries(fields)
      .map(
        ([key, value]) => `\x1b[2m${key}=\x1b[0m${typeof value === 'string' ? value : JSON.stringify(value)}`,
      )
      .join(' ');
    return `\x1b[2m${timestamp}\x1b[0m ${label} \x1b[2m${String(component ?? '').padEnd(6)}\x1b[0m ${message}${rest ? `  ${rest}` : ''}`;
  });
}

/** A logger that drops everything (for embedders and benchmarks that want silence). */
export function createSilentLogger(): Logger {
  return winston.createLogger({
    silent: true,
    transports: [new winston.transports.Console({ stderrLevels: LEVELS })],
  });
}
