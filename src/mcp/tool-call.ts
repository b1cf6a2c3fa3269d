import {
  type CallToolResult,
  type Notification,
  type ProgressToken,
  ProtocolError,
  ProtocolErrorCode,
} from '@modelcontextprotocol/server';
import { HubError } from '../errors.js';
import type { CallerRelay } from '../execution/call-context.js';
import type { Engine } from '../execution/engine.js';
import type { CallSignal } from '../shared/call-abort.js';
import { isCorrelationId, JsonRpcCode, type JsonRpcId, jsonRpcError } from '../shared/json-rpc.js';
import { relayableCapabilities } from './relayed-requests.js';

/** Extra context a transport knows about its caller (for the history row). */
export interface CallerInfo {
  userAgent?: string;
  ip?: string;
}

/** What one MCP tools/call brings besides its name and arguments, whichever transport carried it. */
export interface ToolCallContext {
  signal: CallSignal;
  progressToken?: ProgressToken;
  /** The caller's X-Correlation-Id header, if any (used only when well-formed). */
  correlationHeader?: unknown;
  /** Sends to the caller in the context of this call: progress, relayed logs, sampling, elicitation. */
  sendNotification(notification: Notification): Promise<void>;
  sendRequest: CallerRelay['sendRequest'];
  /** The capabilities the caller declared (its session's, or its request's envelope). */
  capabilities: CallerRelay['capabilities'];
  /** Input responses a 2026-07-28 caller sent with its first request. */
  answered?: CallerRelay['answered'];
  /** The caller's MCP session (handshake era), for the upstream session of a stateful server. */
  session?: string;
  caller: CallerInfo;
}

/**
 * tools/call for an MCP caller: runs the engine and turns its record into a CallToolResult. Hub
 * failures (open breaker, timeout, busy…) are tool errors the model can read (isError with the
 * execution id); an unknown tool is a JSON-RPC -32602.
 */
export async function callToolForMcp(
  engine: Engine,
  params: { name: string; arguments?: Record<string, unknown> },
  context: ToolCallContext,
): Promise<CallToolResult> {
  const { progressToken } = context;
  // Progress is relayed in order and before the result: a client drops progress that arrives
  // after its call's answer (the last step of a call was lost on SSE and stdio upstreams).
  let progressSent: Promise<void> = Promise.resolve();
  try {
    const record = await engine.execute({
      tool: params.name,
      arguments: params.arguments ?? {},
      correlationId: isCorrelationId(context.correlationHeader) ? context.correlationHeader : undefined,
      signal: context.signal,
      onProgress:
        progressToken === undefined
          ? undefined
          : (progress) => {
              progressSent = progressSent
                .then(() =>
                  context.sendNotification({
                    method: 'notifications/progress',
                    params: { ...progress, progressToken },
                  }),
                )
                .catch(() => {});
            },
      relay: {
        sendNotification: context.sendNotification,
        sendRequest: context.sendRequest,
        capabilities: relayableCapabilities(context.capabilities),
        answered: context.answered,
        session: context.session,
      },
      caller: context.caller,
    });
    // Only a call that asked for progress waits (the hot path adds nothing otherwise).
    if (progressToken !== undefined) await progressSent;
    if (record.result && (record.status === 'success' || record.status === 'error')) return record.result;
    return {
      content: [
        {
          type: 'text',
          text: `${record.error?.message ?? 'the call failed'} (execution ${record.execution_id})`,
        },
      ],
      isError: true,
      _meta: {
        'fin-hub/execution_id': record.execution_id,
        'fin-hub/status': record.status,
        'fin-hub/error_code': record.error?.code,
      },
    };
  } catch (error) {
    if (error instanceof HubError && error.code === 'tool_not_found') {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${params.name}`);
    }
    if (error instanceof HubError) {
      return {
        content: [{ type: 'text', text: error.message }],
        isError: true,
        _meta: { 'fin-hub/error_code': error.code },
      };
    }
    throw error;
  }
}

/**
 * The JSON-RPC error answering a tools/call that failed as a protocol error (an unknown tool, a
 * capability the caller lacks…); anything else is an internal error whose details stay here.
 */
export function callErrorResponse(id: JsonRpcId, error: unknown) {
  return error instanceof ProtocolError
    ? jsonRpcError(id, error.code, error.message, error.data)
    : jsonRpcError(id, JsonRpcCode.internalError, 'Internal error');
}
