import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { RequestHandler } from 'express';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ExecutionRecord } from './execution/execution-record.js';
import type { BreakerState, InstanceGate } from './execution/instance-gate.js';
import type { Logger } from './logger.js';

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

/** What the metrics read at scrape time, instead of being pushed on every change. */
export interface MetricsSources {
  gates: Iterable<[string, InstanceGate]>;
  sessions: number;
  instances: number;
  tools: number;
  outbox: number;
}

/** Prometheus metrics of one hub (own registry, so several hubs in one process do not collide). */
/** One answered HTTP request, as counted and logged. */
export interface FinishedRequest {
  route: string;
  correlation_id?: string;
  method: string;
  path: string;
  status: number;
  duration_ms: number;
  identity?: string;
}

export function createHubMetrics() {
  const register = new Registry();
  collectDefaultMetrics({ register, prefix: 'fin_hub_' });
  // The heap used right after the last full (mark-compact) collection: what is really retained.
  // Heap used and RSS sampled at random swing by the garbage collector's cycle (tens of MiB under
  // load), so a leak shows up here first and a sawtooth does not.
  const heapAfterGc = new Gauge({
    name: 'fin_hub_heap_used_after_major_gc_bytes',
    help: 'V8 heap used right after the most recent mark-compact collection (0 until the first)',
    registers: [register],
  });
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)
        heapAfterGc.set(getHeapStatistics().used_heap_size);
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const calls = new Counter({
    name: 'fin_hub_tool_calls_total',
    help: 'Tool calls by tool, service and outcome (success, error, timeout, cancelled, rejected)',
    labelNames: ['tool', 'service', 'outcome'],
    registers: [register],
  });
  const duration = new Histogram({
    name: 'fin_hub_tool_call_duration_seconds',
    help: 'Tool call latency through the hub, retries included',
    labelNames: ['tool', 'service'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [register],
  });
  const rejections = new Counter({
    name: 'fin_hub_rejections_total',
    help: 'Calls refused without reaching a spoke, by reason (instance_busy, breaker_open, no_healthy_instance, invalid_arguments)',
    labelNames: ['service', 'reason'],
    registers: [register],
  });
  const breaker = new Gauge({
    name: 'fin_hub_breaker_state',
    help: 'Circuit breaker state per instance: 0 closed, 1 half-open, 2 open',
    labelNames: ['service_id'],
    registers: [register],
  });
  const queueDepth = new Gauge({
    name: 'fin_hub_queue_depth',
    help: 'Calls waiting per instance',
    labelNames: ['service_id'],
    registers: [register],
  });
  const inFlight = new Gauge({
    name: 'fin_hub_in_flight',
    help: 'Calls running per instance',
    labelNames: ['service_id'],
    registers: [register],
  });
  const instances = new Gauge({
    name: 'fin_hub_registry_instances',
    help: 'Active registered instances',
    registers: [register],
  });
  const tools = new Gauge({
    name: 'fin_hub_registry_tools',
    help: 'Tools visible to MCP clients',
    registers: [register],
  });
  const sessions = new Gauge({
    name: 'fin_hub_mcp_sessions',
    help: 'Live streamable HTTP MCP sessions',
    registers: [register],
  });
  const outbox = new Gauge({
    name: 'fin_hub_history_outbox_depth',
    help: 'Execution rows waiting to be written',
    registers: [register],
  });
  const historySetAside = new Counter({
    name: 'fin_hub_history_rows_set_aside_total',
    help: 'Execution rows the database refused even without their payload (logged with their reason)',
    registers: [register],
  });
  const httpRequests = new Counter({
    name: 'fin_hub_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [register],
  });

  /** Counts one finished request and logs it (level "http") with its correlation id. */
  function recordRequest(logger: Logger, request: FinishedRequest): void {
    httpRequests.inc({ method: request.method, route: request.route, status: String(request.status) });
    if (!logger.isLevelEnabled('http')) return;
    const { route: _route, ...fields } = request;
    (logger as unknown as { log?: (level: string, message: string, meta: object) => void }).log?.(
      'http',
      'request',
      fields,
    );
  }

  return {
    register,
    close(): void {
      gcObserver.disconnect();
    },
    observeExecution(record: ExecutionRecord): void {
      const service = record.service_name ?? 'none';
      calls.inc({ tool: record.tool_id, service, outcome: record.status });
      if (record.duration_ms !== null)
        duration.observe({ tool: record.tool_id, service }, record.duration_ms / 1000);
      if (record.status === 'rejected') rejections.inc({ service, reason: record.error?.code ?? 'unknown' });
    },
    historySetAside(): void {
      historySetAside.inc();
    },
    breakerState(serviceId: string, state: BreakerState): void {
      breaker.set({ service_id: serviceId }, BREAKER_VALUE[state]);
    },
    forgetInstance(serviceId: string): void {
      for (const gauge of [breaker, queueDepth, inFlight]) gauge.remove({ service_id: serviceId });
    },
    handler(read: () => MetricsSources): RequestHandler {
      return async (_req, res) => {
        const sources = read();
        for (const [id, gate] of sources.gates) {
          queueDepth.set({ service_id: id }, gate.queued);
          inFlight.set({ service_id: id }, gate.inFlight);
          breaker.set({ service_id: id }, BREAKER_VALUE[gate.state]);
        }
        instances.set(sources.instances);
        tools.set(sources.tools);
        sessions.set(sources.sessions);
        outbox.set(sources.outbox);
        res.type(register.contentType).send(await register.metrics());
      };
    },
    recordRequest,
    /** Counts every request that goes through express and logs it. */
    requestObserver(logger: Logger): RequestHandler {
      return (req, res, next) => {
        const started = performance.now();
        res.on('finish', () => {
          const route = req.baseUrl.startsWith('/mcp')
            ? '/mcp'
            : (req.route?.path as string | undefined)
              ? `${req.baseUrl}${req.route.path}`
              : 'unmatched';
          recordRequest(logger, {
            route,
            correlation_id: res.locals.correlationId,
            method: req.method,
            path: req.originalUrl.split('?')[0] ?? '',
            status: res.statusCode,
            duration_ms: Math.round((performance.now() - started) * 100) / 100,
            identity: res.locals.identity,
          });
        });
        next();
      };
    },
  };
}

export type HubMetrics = ReturnType<typeof createHubMetrics>;
