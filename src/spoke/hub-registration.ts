import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { SpokeTool } from './spoke-tool.js';

export interface RegistrationOptions {
  hubUrl: string;
  serviceId: string;
  serviceName: string;
  address: string;
  port: number;
  version: string;
  tools: SpokeTool[];
  tags?: string[];
  weight?: number;
  /** The spoke keeps no per-session state: hub callers share one session with it. */
  sharedSession?: boolean;
  ttlSeconds: number;
  /** Bearer key with the registry:write scope, when the hub requires auth. */
  registryToken?: string;
  logger: Logger;
  /** First retry delay in ms (doubles, with jitter, up to 30 s). @default 500 */
  retryBaseMs?: number;
}

/** The registration body the hub expects, with tool schemas converted from zod to JSON Schema. */
function registrationBody(options: RegistrationOptions) {
  return {
    service_id: options.serviceId,
    service_name: options.serviceName,
    address: options.address,
    port: options.port,
    version: options.version,
    tags: options.tags ?? [],
    weight: options.weight ?? 1,
    ...(options.sharedSession ? { shared_session: true } : {}),
    ttl_seconds: options.ttlSeconds,
    health_check: {
      http: `http://${options.address}:${options.port}/health`,
      interval: Math.max(5, Math.round(options.ttlSeconds / 6)),
    },
    tools: options.tools.map((tool) => ({
      name: tool.name,
      description: tool.description,
      ...(tool.category ? { category: tool.category } : {}),
      tags: tool.tags ?? [],
      input_schema: z.toJSONSchema(z.object(tool.inputSchema), { io: 'input' }),
      ...(tool.annotations ? { annotations: tool.annotations } : {}),
      ...(tool.timeoutSeconds ? { timeout_seconds: tool.timeoutSeconds } : {}),
    })),
  };
}

/**
 * Keeps a spoke registered: registers with retry (exponential backoff with jitter) until the hub
 * answers, heartbeats every ttl/3, registers again when a heartbeat gets 404 (the hub restarted
 * or expired it), and deregisters on stop.
 */
export function createHubRegistration(options: RegistrationOptions) {
  const { logger } = options;
  const base = `${options.hubUrl.replace(/\/$/, '')}/api/v1/services`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.registryToken) headers.authorization = `Bearer ${options.registryToken}`;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let registeredOnce: () => void;
  const registered = new Promise<void>((resolve) => {
    registeredOnce = resolve;
  });
  let registrations = 0;
  let failedAttempts = 0;
  /** The registration request on the wire, if any: stopping waits for it (see stop()). */
  let registering: Promise<boolean> | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });

  /** One registration request; true when the hub accepted it (and it is counted). */
  async function attemptRegistration(): Promise<boolean> {
    try {
      const response = await fetch(`${base}/register`, {
        method: 'POST',
        headers,
        body: JSON.stringify(registrationBody(options)),
        signal: AbortSignal.timeout(10_000),
      });
      if (response.ok) {
        registrations++;
        logger.info('registered with the hub', { hub: options.hubUrl, service_id: options.serviceId });
        registeredOnce();
        await response.body?.cancel();
        return true;
      }
      const text = await response.text();
      // 4xx other than 429 will not fix itself: say so loudly, keep retrying slowly.
      logger.error('hub refused the registration', { status: response.status, body: text.slice(0, 500) });
    } catch (error) {
      logger.debug('hub not reachable yet', { error: (error as Error).message });
    }
    failedAttempts++;
    return false;
  }

  async function registerUntilAccepted(): Promise<void> {
    for (let attempt = 0; !stopped; attempt++) {
      registering = attemptRegistration();
      const accepted = await registering;
      registering = undefined;
      if (accepted) return;
      const delay = Math.min(30_000, (options.retryBaseMs ?? 500) * 2 ** Math.min(attempt, 6));
      await sleep(delay / 2 + Math.random() * (delay / 2));
    }
  }

  async function heartbeatLoop(): Promise<void> {
    const every = Math.max(1000, (options.ttlSeconds * 1000) / 3);
    while (!stopped) {
      await sleep(every);
      if (stopped) return;
      try {
        const response = await fetch(`${base}/${encodeURIComponent(options.serviceId)}/heartbeat`, {
          method: 'PUT',
          headers,
          signal: AbortSignal.timeout(5000),
        });
        await response.body?.cancel();
        if (response.status === 404) {
          logger.warn('hub forgot this spoke; registering again');
          await registerUntilAccepted();
        }
      } catch (error) {
        logger.debug('heartbeat failed', { error: (error as Error).message });
      }
    }
  }

  return {
    /** Starts in the background; never blocks the spoke's start-up. */
    start(): void {
      void registerUntilAccepted().then(() => heartbeatLoop());
    },
    /** Resolves after the first accepted registration. */
    registered,
    /** Registration attempts the hub refused or did not answer. */
    get failedAttempts(): number {
      return failedAttempts;
    },
    get registrations(): number {
      return registrations;
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      // A registration the hub may already have applied must be answered before deciding: else a
      // spoke stopped at that moment would leave its instance registered until its TTL ran out.
      await registering;
      if (registrations === 0) return;
      try {
        const response = await fetch(`${base}/${encodeURIComponent(options.serviceId)}/deregister`, {
          method: 'POST',
          headers,
          // Generous: a spoke stopping on a busy machine should still leave the hub knowing it is gone.
          signal: AbortSignal.timeout(10_000),
        });
        await response.body?.cancel();
        logger.info('deregistered from the hub', { status: response.status });
      } catch (error) {
        logger.warn('deregistration failed', { error: (error as Error).message });
      }
    },
  };
}
