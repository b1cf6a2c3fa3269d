import { AsyncLocalStorage } from 'node:async_hooks';
import type { Notification, Request } from '@modelcontextprotocol/sdk/types.js';
import type { ZodType } from 'zod';

/**
 * What a spoke may send back to the caller during a call: log messages and progress
 * (notifications) and sampling or elicitation (requests). The MCP front supplies it from the
 * caller's session; REST calls have none.
 */
export interface CallerRelay {
  sendNotification(notification: Notification): Promise<void>;
  sendRequest<T extends ZodType>(request: Request, resultSchema: T): Promise<unknown>;
}

/** Carried through one upstream call, so that shared upstream clients can route replies to its caller. */
export interface CallContext {
  correlationId: string;
  relay?: CallerRelay;
}

/** AsyncLocalStorage of the current upstream call; the upstream SSE reader inherits it. */
export const callContext = new AsyncLocalStorage<CallContext>();
