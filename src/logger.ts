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

/**
 * JSON lines on stderr, every level: stdout belongs to MCP over stdio, so winston's Console
 * transport is told that every level is a "stderr level".
 */
export function createLogger(options: { level: string; component?: string }): Logger {
  return winston.createLogger({
    level: options.level,
    defaultMeta: { component: options.component ?? 'hub' },
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console({ stderrLevels: LEVELS })],
  });
}

/** A logger that drops everything (for embedders and benchmarks that want silence). */
export function createSilentLogger(): Logger {
  return winston.createLogger({
    silent: true,
    transports: [new winston.transports.Console({ stderrLevels: LEVELS })],
  });
}
