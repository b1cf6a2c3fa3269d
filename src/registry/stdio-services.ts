import type { StdioService } from '../config/config-schema.js';
import type { Logger } from '../logger.js';
import type { RegistryService } from './registry-service.js';
import { stdioEndpoint } from './registry-types.js';

/**
 * Registers the stdio services of the config file (`services`) as instances `stdio-<name>`, their
 * tools discovered from the server itself (the upstream pool launches it on first use). One that
 * cannot start yet is tried again with a growing delay (to a minute) until it registers or the hub
 * stops, and the log says why each time; the hub serves meanwhile. Health checks over MCP then
 * restart a service that exits (upstream-pool.ts).
 */
export function registerStdioServices(options: {
  services: StdioService[];
  registry: Pick<RegistryService, 'register'>;
  logger: Logger;
  /** Seconds between health checks of these instances. */
  healthIntervalSeconds: number;
}) {
  const { registry, logger } = options;
  const stopping = new AbortController();
  const timers = new Set<NodeJS.Timeout>();

  async function attempt(service: StdioService, failures: number): Promise<void> {
    if (stopping.signal.aborted) return;
    try {
      const { tools, warnings } = await registry.register({
        service_id: `stdio-${service.name}`,
        service_name: service.name,
        address: '127.0.0.1',
        port: 0,
        mcp_url: stdioEndpoint(service.name),
        tags: ['stdio', ...service.tags],
        tool_prefix: service.tool_prefix,
        health_check: { interval: options.healthIntervalSeconds },
        // A local child process: it lives as long as this hub, whatever the TTL.
        ttl_seconds: 86_400,
      });
      logger.info('stdio service registered', {
        stdio_service: service.name,
        tools: tools.length,
        skipped: warnings.map((w) => w.message),
      });
    } catch (error) {
      const delay = Math.min(60_000, 1_000 * 2 ** failures);
      logger.error('stdio service could not be started or listed; trying again', {
        stdio_service: service.name,
        command: service.command,
        error: (error as Error).message,
        retry_in_ms: delay,
      });
      const timer = setTimeout(() => {
        timers.delete(timer);
        void attempt(service, failures + 1);
      }, delay);
      timer.unref();
      timers.add(timer);
    }
  }

  const started = Promise.all(options.services.map((service) => attempt(service, 0)));
  return {
    /** Resolves when every service had its first attempt (registered or scheduled again). */
    started,
    close(): void {
      stopping.abort();
      for (const timer of timers) clearTimeout(timer);
    },
  };
}
