import type { ClientCapabilities, Notification } from '@modelcontextprotocol/server';

/** A request a spoke sends its caller during a call: sampling, elicitation, roots. */
interface CallerRequest {
  method: string;
  params?: Record<string, unknown>;
}

/**
 * What a spoke may send back to the caller during a call: log messages and progress
 * (notifications) and sampling, elicitation or roots (requests). The MCP front supplies it from the
 * caller's session or request; REST calls have none. It is passed along explicitly with each call
 * (an AsyncLocalStorage would turn on async hooks, a cost on every promise of the process).
 */
export interface CallerRelay {
  sendNotification(notification: Notification): Promise<void>;
  /**
   * Resolves with the caller's result, checked against the method's result type, or rejects with
   * its error. `key` names the question when a 2026-07-28 spoke asked it (its `inputRequests` key),
   * so that a 2026-07-28 caller sees the spoke's own key.
   */
  sendRequest(request: CallerRequest, options?: { key?: string }): Promise<unknown>;
  /**
   * What the caller can answer (its declared capabilities the hub relays); a 2026-07-28 spoke is
   * told these in the request's envelope, so it asks only what the caller can give. None: nothing.
   */
  capabilities?: ClientCapabilities;
  /**
   * Input responses a 2026-07-28 caller sent with its first request, before anything asked: a
   * 2026-07-28 spoke gets them on the first round (it may use them, or ignore the extra ones).
   */
  answered?: Record<string, unknown>;
  /**
   * The caller's MCP session (handshake era): a server that keeps state per session gets one
   * upstream session per such caller (upstream-sessions.ts). None for 2026-07-28 callers.
   */
  session?: string;
}
