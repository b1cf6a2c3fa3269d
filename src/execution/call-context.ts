import type { Notification, Request } from '@modelcontextprotocol/sdk/types.js';
import type { ZodType } from 'zod';

/**
 * What a spoke may send back to the caller during a call: log messages and progress
 * (notifications) and sampling or elicitation (requests). The MCP front supplies it from the
 * caller's session; REST calls have none. It is passed along explicitly with each call (an
 * AsyncLocalStorage would turn on async hooks, a cost on every promise of the process).
 */
export interface CallerRelay {
  sendNotification(notification: Notification): Promise<void>;
  sendRequest<T extends ZodType>(request: Request, resultSchema: T): Promise<unknown>;
}
