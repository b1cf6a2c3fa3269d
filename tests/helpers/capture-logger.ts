import type { Logger } from '../../src/logger.js';

/** A logger that keeps every line at every level, as the JSON it would print (to search it). */
export function createCaptureLogger(
  lines: string[] = [],
  base: Record<string, unknown> = {},
): Logger & {
  lines: string[];
} {
  const write =
    (level: string) =>
    (message: string, meta: Record<string, unknown> = {}) => {
      lines.push(JSON.stringify({ level, message, ...base, ...meta }));
    };
  return {
    lines,
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    child: (meta) => createCaptureLogger(lines, { ...base, ...meta }),
    isLevelEnabled: () => true,
  };
}
