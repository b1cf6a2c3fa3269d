import type { HubConfig } from '../config/config-schema.js';
import type { HubDatabase } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { HubMetrics } from '../metrics.js';
import type { RegistryStore } from '../registry/registry-store.js';
import type { RegistrySync } from '../registry/registry-sync.js';
import { createArgumentValidator } from './argument-validator.js';
import { createBalancer } from './balancer.js';
import { createEngine } from './engine.js';
import { createExecutionRepository } from './execution-repository.js';
import { createHistoryWriter } from './history-writer.js';
import { createInstanceGates } from './instance-gates.js';
import { startInstanceRetirement } from './instance-retirement.js';
import type { LocalTool } from './local-tools.js';
import type { UpstreamPool } from './upstream-pool.js';

/**
 * The execution part of a hub: per-instance gates (queue + breaker), the balancer, the retirement
 * of removed instances' resources, the history (written behind, in batches) and the engine that
 * ties them to the upstream pool. The caller drains the engine and the history on shutdown.
 */
export function startExecution(options: {
  config: HubConfig;
  database: HubDatabase;
  store: RegistryStore;
  sync: Pick<RegistrySync, 'announceStats'> | undefined;
  upstream: UpstreamPool;
  metrics: HubMetrics;
  logger: Logger;
  /** The hub's own tools (src/hub-tools/), run by the engine like any call. */
  localTools?: ReadonlyMap<string, LocalTool>;
}) {
  const { config, store, upstream, metrics, logger } = options;
  const log = (component: string) => logger.child({ component });
  const gates = createInstanceGates({
    gate: {
      concurrency: config.engine.instanceConcurrency,
      maxPending: config.engine.instanceMaxPending,
      failureThreshold: config.engine.breakerFailureThreshold,
      resetTimeoutMs: config.engine.breakerResetMs,
    },
    routing: store.routing,
    onStateChange: (serviceId, state) => {
      logger.warn('circuit breaker state changed', { service_id: serviceId, state });
      metrics.breakerState(serviceId, state);
    },
  });
  const balancer = createBalancer({
    defaultKind: config.engine.balancer,
    inFlight: (id) => gates.get(id)?.inFlight ?? 0,
  });
  const retirement = startInstanceRetirement({
    store,
    gates,
    balancer,
    forgetEndpoint: (endpoint) => upstream.forget(endpoint),
    forgetMetrics: (id) => metrics.forgetInstance(id),
    logger: log('registry'),
  });
  const executions = createExecutionRepository(options.database.db);
  const historyLogger = log('history');
  const history = createHistoryWriter({
    insertBatch: async (records) => {
      const { stats, setAside } = await executions.insertBatch(records);
      store.applyStats(stats);
      options.sync?.announceStats(stats);
      for (const { record, reason } of setAside) {
        historyLogger.error('history row set aside: the database refused it even without its payload', {
          execution_id: record.execution_id,
          tool: record.tool_id,
          status: record.status,
          reason,
        });
        metrics.historySetAside();
      }
    },
    logger: historyLogger,
    batchSize: config.history.batchSize,
    flushIntervalMs: config.history.flushIntervalMs,
    capacity: config.history.outboxCapacity,
  });
  const engine = createEngine({
    routing: store.routing,
    upstream,
    balancer,
    validator: createArgumentValidator(),
    history,
    logger: log('engine'),
    gateFor: gates.gateFor,
    defaults: {
      timeoutSeconds: config.engine.defaultTimeoutSeconds,
      retryAttempts: config.engine.defaultRetryAttempts,
      retryBaseMs: config.engine.retryBaseMs,
    },
    onFinished: (record) => metrics.observeExecution(record),
    localTools: options.localTools,
  });
  return {
    gates,
    retirement,
    executions,
    history,
    engine,
    /** After the engine and the history were drained: stop reacting, drop every gate. */
    close(): void {
      retirement.close();
      gates.close();
    },
  };
}
