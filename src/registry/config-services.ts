import { type ConfigService, isStdioService } from '../config/config-schema.js';
import type { Logger } from '../logger.js';
import type { RegistryService } from './registry-service.js';
import { stdioEndpoint } from './registry-types.js';

/**
 * Registers the services of the config file (`services`): a stdio one as instance `stdio-<name>`
 * (the upstream pool launches it on first use), an HTTP one as `config-<name>` with its headers,
 * their tools discovered from the server itself. One that cannot start or answer yet is tried
 * again with a growing delay (to a minute) until it registers or the hub stops, and the log says
 * why each time; the hub serves meanwhile. Health checks over MCP then restart a stdio service
 * that exits (upstream-pool.ts).
 */
export function registerConfigServices(options: {
  services: ConfigService[];
  registry: Pick<RegistryService, 'register'>;
  logger: Logger;
  /** Seconds between health checks of these instances. */
  healthIntervalSeconds: number;
}) {
  const { registry, logger } = options;
  const stopping = new AbortController();
  const timers = new Set<NodeJS.Timeout>();

  /** The registration a config-file service stands for. */
  function registrationOf(service: ConfigService) {
    if (isStdioService(service))
      return {
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
      };
    const url = new URL(service.url);
    return {
      service_id: `config-${service.name}`,
      service_name: service.name,
      address: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      mcp_url: service.url,
      upstream_headers: Object.keys(service.headers).length > 0 ? service.headers : undefined,
      namespace: service.namespace,
      shared_session: service.shared_session,
      tool_prefix: service.tool_prefix,
      tags: ['config', ...service.tags],
      health_check: { interval: options.healthIntervalSeconds },
      // Declared by the hub's own config: it stays registered as long as this hub runs.
      ttl_seconds: 86_400,
    };
  }

  async function attempt(service: ConfigService, failures: number): Promise<void> {
    if (stopping.signal.aborted) return;
    const kind = isStdioService(service) ? 'stdio' : 'http';
    try {
      const { tools, warnings } = await registry.register(registrationOf(service));
      logger.info(`${kind} service registered`, {
        config_service: service.name,
        tools: tools.length,
        skipped: warnings.map((w) => w.message),
      });
    } catch (error) {
      const delay = Math.min(60_000, 1_000 * 2 ** failures);
      logger.error(
        `${kind} service could not be ${kind === 'stdio' ? 'started' : 'reached'} or listed; trying again`,
        {
          config_service: service.name,
          ...(isStdioService(service) ? { command: service.command } : { url: service.url }),
          error: (error as Error).message,
          retry_in_ms: delay,
        },
      );
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
