import { randomUUID } from 'node:crypto';
import type { CallToolResult, Progress } from '@modelcontextprotocol/server';
import { HubError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { InstanceView, RoutingView, ToolView } from '../registry/routing-index.js';
import { CallAbortController, type CallSignal, toAbortSignal } from '../shared/call-abort.js';
import { InFlight } from '../shared/in-flight.js';
import { untilAborted } from '../shared/until-aborted.js';
import type { ArgumentValidator } from './argument-validator.js';
import type { Balancer } from './balancer.js';
import type { CallerRelay } from './call-context.js';
import type { ExecutionRecord } from './execution-record.js';
import type { HistoryWriter } from './history-writer.js';
import { CallerAbort, type InstanceGate } from './instance-gate.js';
import { HUB_SERVICE_NAME, type LocalTool } from './local-tools.js';
import { classifyCallError, UpstreamError } from './upstream-errors.js';
import type { UpstreamPool } from './upstream-pool.js';

export interface ExecuteRequest {
  /** The MCP tool name. */
  tool: string;
  arguments: Record<string, unknown>;
  correlationId?: string;
  /** Overrides the tool's timeout_seconds for each attempt. */
  timeoutSeconds?: number;
  /** Aborted by the caller (MCP notifications/cancelled, a closed REST request). */
  signal?: CallSignal;
  /** Receives the spoke's progress notifications. */
  onProgress?: (progress: Progress) => void;
  /** Where the spoke's logs, sampling and elicitation requests go during the call. */
  relay?: CallerRelay;
  caller?: { userAgent?: string; ip?: string };
  /** Called synchronously once the execution id exists (before any upstream work). */
  onAccepted?: (executionId: string) => void;
}

export interface EngineOptions {
  routing: RoutingView;
  upstream: UpstreamPool;
  balancer: Balancer;
  validator: ArgumentValidator;
  history: HistoryWriter;
  logger: Logger;
  gateFor: (serviceId: string) => InstanceGate;
  defaults: { timeoutSeconds: number; retryAttempts: number; retryBaseMs: number };
  /** Observes every finished execution (metrics). */
  onFinished?: (record: ExecutionRecord) => void;
  /** Tools the hub serves itself (hub tools), by name; registered tools cannot take these names. */
  localTools?: ReadonlyMap<string, LocalTool>;
}

interface RunningCall {
  record: ExecutionRecord;
  controller: CallAbortController;
  done: Promise<unknown>;
  /** Its place among the running calls (InFlight). */
  slot: number;
}

/**
 * The execution engine: route → queue → breaker → upstream, with safe retries, per-attempt
 * timeouts, cancellation and one history row per accepted call. Reads only the routing view.
 */
export function createEngine(options: EngineOptions) {
  const { routing, upstream, balancer, validator, history, logger, gateFor, defaults } = options;
  const running = new InFlight<RunningCall>();
  const runningCall = (executionId: string) =>
    running.find((call) => call.record.execution_id === executionId);
  let closing = false;

  function finish(
    record: ExecutionRecord,
    status: ExecutionRecord['status'],
    started: number,
  ): ExecutionRecord {
    record.status = status;
    record.completed_at = new Date();
    record.duration_ms = Math.round((performance.now() - started) * 1000) / 1000;
    history.add(record);
    options.onFinished?.(record);
    return record;
  }

  async function attempt(
    tool: ToolView,
    instance: InstanceView,
    request: ExecuteRequest,
    callSignal: CallSignal,
    timeoutMs: number,
    correlationId: string,
  ): Promise<CallToolResult> {
    // One controller and one timer per attempt: AbortSignal.timeout() and AbortSignal.any() cost
    // several times more per call (weak references, finalizers) on the hot path, and a platform
    // AbortController more than a CallAbortController (src/shared/call-abort.ts).
    const attemptController = new CallAbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attemptController.abort(new TimeoutFailure(timeoutMs));
    }, timeoutMs);
    const onCallerAbort = () => attemptController.abort(callSignal.reason);
    callSignal.addEventListener('abort', onCallerAbort, { once: true });
    try {
      return await gateFor(instance.serviceId).run(async () => {
        if (callSignal.aborted) throw new CallerAbort('cancelled before it started');
        try {
          // Raced with the attempt's own signal: a timeout, a cancellation or the shutdown ends the
          // attempt when it fires, even if a transport kept waiting on a request it was told to
          // abort (both of ours honour it; the race keeps "one answer per call" from depending on
          // that). The request itself is left to its transport.
          return await untilAborted(
            upstream.callTool({
              endpoint: instance.endpoint,
              headers: instance.upstreamHeaders,
              tool: tool.upstreamName,
              arguments: request.arguments,
              signal: attemptController.signal,
              onProgress: request.onProgress,
              relay: request.relay,
              // A server registered as keeping no session state serves every caller on one session.
              session: instance.sharedSession ? undefined : request.relay?.session,
              correlationId,
            }),
            attemptController.signal,
          );
        } catch (error) {
          if (callSignal.aborted) throw new CallerAbort('cancelled', { cause: error });
          if (timedOut) throw new TimeoutFailure(timeoutMs);
          // The pool's own refusal (no upstream session left for this caller): nothing was sent.
          if (error instanceof HubError) throw error;
          throw classifyCallError(error);
        }
      });
    } finally {
      clearTimeout(timer);
      callSignal.removeEventListener('abort', onCallerAbort);
    }
  }

  async function run(
    tool: ToolView,
    request: ExecuteRequest,
    record: ExecutionRecord,
    controller: CallAbortController,
  ) {
    const started = performance.now();
    const timeoutMs = (request.timeoutSeconds ?? tool.timeoutSeconds ?? defaults.timeoutSeconds) * 1000;
    const maxAttempts = 1 + (tool.retryAttempts ?? defaults.retryAttempts);
    const tried = new Set<string>();
    let lastError: { code: string; message: string; status: ExecutionRecord['status'] } | undefined;
    for (let n = 0; n < maxAttempts; n++) {
      if (controller.signal.aborted) break;
      const candidates = routing
        .healthyInstancesOf(tool.definition.name)
        .filter((i) => gateFor(i.serviceId).acceptsCalls);
      const fresh = candidates.filter((i) => !tried.has(i.serviceId));
      const instance = balancer.pick(fresh.length > 0 ? fresh : candidates);
      if (!instance) {
        const anyRegistered = routing.healthyInstancesOf(tool.definition.name).length > 0;
        lastError = anyRegistered
          ? {
              code: 'breaker_open',
              message: `every instance of ${tool.serviceName} has an open circuit breaker`,
              status: 'rejected',
            }
          : {
              code: 'no_healthy_instance',
              message: `no healthy instance of ${tool.serviceName} is available`,
              status: 'rejected',
            };
        if (n + 1 < maxAttempts) {
          await backoff(n, controller.signal);
          continue;
        }
        break;
      }
      tried.add(instance.serviceId);
      record.service_id = instance.serviceId;
      record.service_name = instance.serviceName;
      record.attempts = n + 1;
      try {
        const result = await attempt(
          tool,
          instance,
          request,
          controller.signal,
          timeoutMs,
          record.correlation_id,
        );
        record.result = result;
        if (result.isError) {
          record.error = { code: 'tool_error', message: firstText(result) ?? 'the tool reported an error' };
          return finish(record, 'error', started);
        }
        record.error = null;
        return finish(record, 'success', started);
      } catch (error) {
        if (error instanceof CallerAbort || controller.signal.aborted) break;
        const failure = describeFailure(error);
        lastError = failure;
        logger.warn('tool call attempt failed', {
          correlation_id: record.correlation_id,
          execution_id: record.execution_id,
          tool: record.tool_id,
          service_id: instance.serviceId,
          attempt: n + 1,
          error: failure.message,
        });
        if (!failure.retryable && !(tool.retrySafe && failure.mayHaveRun)) break;
        if (n + 1 < maxAttempts) await backoff(n, controller.signal);
      }
    }
    if (controller.signal.aborted) {
      const reason = controller.signal.reason;
      const shuttingDown = reason instanceof HubError && reason.code === 'shutting_down';
      record.error = shuttingDown
        ? { code: 'shutting_down', message: 'the hub is shutting down; the call was aborted' }
        : { code: 'cancelled', message: 'the call was cancelled' };
      return finish(record, shuttingDown ? 'error' : 'cancelled', started);
    }
    const final = lastError ?? {
      code: 'upstream_error',
      message: 'the call failed',
      status: 'error' as const,
    };
    record.error = { code: final.code, message: final.message };
    return finish(record, final.status, started);
  }

  /** A hub tool: run in this process, recorded like any call. */
  async function runLocal(
    local: LocalTool,
    request: ExecuteRequest,
    record: ExecutionRecord,
    controller: CallAbortController,
  ): Promise<ExecutionRecord> {
    const started = performance.now();
    record.attempts = 1;
    try {
      const result = await local.run(request.arguments, {
        signal: toAbortSignal(controller.signal),
        correlationId: record.correlation_id,
        caller: request.caller,
        relay: request.relay,
        execute: (inner) => engine.execute(inner),
      });
      record.result = result;
      if (result.isError) {
        record.error = { code: 'tool_error', message: firstText(result) ?? 'the tool reported an error' };
        return finish(record, 'error', started);
      }
      return finish(record, 'success', started);
    } catch (error) {
      if (controller.signal.aborted) {
        record.error = { code: 'cancelled', message: 'the call was cancelled' };
        return finish(record, 'cancelled', started);
      }
      logger.error('hub tool failed', {
        tool: record.tool_id,
        error: (error as Error).stack ?? String(error),
      });
      record.error = {
        code: 'hub_tool_failed',
        message: `${record.tool_id} failed: ${(error as Error).message}`,
      };
      return finish(record, 'error', started);
    }
  }

  function backoff(n: number, signal: CallSignal): Promise<void> {
    // Full jitter on an exponential base, capped at 2 s.
    const delay = Math.random() * Math.min(2000, defaults.retryBaseMs * 2 ** n);
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, delay);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }

  const engine = {
    /**
     * Runs a call to its end and returns its record. Throws (without a history row, the call was
     * not accepted) for an unknown tool, when shutting down, or when the history outbox is full.
     */
    async execute(request: ExecuteRequest): Promise<ExecutionRecord> {
      if (closing)
        throw new HubError('shutting_down', 'the hub is shutting down', undefined, { retryAfterSeconds: 5 });
      const local = options.localTools?.get(request.tool);
      const tool = local ? undefined : routing.getTool(request.tool);
      if (!local && !tool) throw new HubError('tool_not_found', `unknown tool: ${request.tool}`);
      if (!history.hasRoom()) {
        throw new HubError(
          'database_unavailable',
          'execution history is backlogged; try again shortly',
          undefined,
          {
            retryAfterSeconds: 5,
          },
        );
      }
      const record: ExecutionRecord = {
        execution_id: randomUUID(),
        correlation_id: request.correlationId ?? randomUUID(),
        tool_id: request.tool,
        service_id: null,
        service_name: tool?.serviceName ?? HUB_SERVICE_NAME,
        status: 'running',
        arguments: request.arguments,
        error: null,
        attempts: 0,
        started_at: new Date(),
        completed_at: null,
        duration_ms: null,
        user_agent: request.caller?.userAgent ?? null,
        ip_address: request.caller?.ip ?? null,
      };
      request.onAccepted?.(record.execution_id);
      const check = validator.check(
        (local ?? tool)!.definition.inputSchema as Record<string, unknown>,
        request.arguments,
      );
      if (!check.ok) {
        record.error = { code: 'invalid_arguments', message: check.message };
        return finish(record, 'rejected', performance.now());
      }
      const controller = new CallAbortController();
      const onCallerAbort = () => controller.abort(request.signal?.reason);
      if (request.signal?.aborted) onCallerAbort();
      request.signal?.addEventListener('abort', onCallerAbort, { once: true });
      const done = local
        ? runLocal(local, request, record, controller)
        : run(tool!, request, record, controller);
      const call: RunningCall = { record, controller, done, slot: -1 };
      running.add(call);
      try {
        return await done;
      } finally {
        running.delete(call);
        request.signal?.removeEventListener('abort', onCallerAbort);
      }
    },

    /** Cancels a running execution; false when it is not running (here). */
    cancel(executionId: string): boolean {
      const call = runningCall(executionId);
      if (!call) return false;
      call.controller.abort(new Error('cancelled through the API'));
      return true;
    },

    /** A running execution's record, or undefined. */
    running(executionId: string): ExecutionRecord | undefined {
      return runningCall(executionId)?.record;
    },

    get inFlight(): number {
      return running.size;
    },

    /**
     * Stops accepting calls, lets running ones finish until the deadline, then aborts the rest
     * upstream; they end with an explicit "shutting down" error.
     */
    async close(deadlineMs: number): Promise<void> {
      closing = true;
      const all = running.values().map((c) => c.done.catch(() => {}));
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'deadline'>((r) => {
        timer = setTimeout(() => r('deadline'), deadlineMs);
      });
      if ((await Promise.race([Promise.all(all), deadline])) === 'deadline') {
        logger.warn('shutdown deadline reached; aborting calls still running', { running: running.size });
        for (const call of running.values())
          call.controller.abort(new HubError('shutting_down', 'the hub is shutting down'));
        await Promise.all(all);
      }
      clearTimeout(timer);
    },
  };
  return engine;
}

export type Engine = ReturnType<typeof createEngine>;

class TimeoutFailure extends Error {
  override name = 'TimeoutFailure';
  constructor(readonly timeoutMs: number) {
    super(`the spoke did not answer within ${timeoutMs / 1000} s; the call was cancelled upstream`);
  }
}

function describeFailure(error: unknown): {
  code: string;
  message: string;
  status: ExecutionRecord['status'];
  retryable: boolean;
  mayHaveRun: boolean;
} {
  if (error instanceof TimeoutFailure)
    return { code: 'timeout', message: error.message, status: 'timeout', retryable: false, mayHaveRun: true };
  if (error instanceof HubError) {
    // Busy queue or open breaker: nothing was sent, another instance may take it.
    return {
      code: error.code,
      message: error.message,
      status: 'rejected',
      retryable: true,
      mayHaveRun: false,
    };
  }
  const upstream = error instanceof UpstreamError ? error : classifyCallError(error);
  if (upstream.kind === 'not_reached') {
    return {
      code: 'upstream_unreachable',
      message: upstream.message,
      status: 'error',
      retryable: true,
      mayHaveRun: false,
    };
  }
  if (upstream.kind === 'caller') {
    return {
      code: 'invalid_arguments',
      message: upstream.message,
      status: 'error',
      retryable: false,
      mayHaveRun: false,
    };
  }
  return {
    code: 'upstream_error',
    message: upstream.message,
    status: 'error',
    retryable: false,
    mayHaveRun: true,
  };
}

function firstText(result: CallToolResult): string | undefined {
  for (const block of result.content ?? []) if (block.type === 'text') return block.text;
  return undefined;
}
