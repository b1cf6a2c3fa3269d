import { type ClientCapabilities, isSpecType, ProtocolError } from '@modelcontextprotocol/server';
import { JsonRpcCode } from '../shared/json-rpc.js';

/** The requests a spoke may relay to its caller: the capability each needs, and its result's type. */
const RELAYED = {
  'sampling/createMessage': ['sampling', 'CreateMessageResult'],
  'elicitation/create': ['elicitation', 'ElicitResult'],
  'roots/list': ['roots', 'ListRootsResult'],
} as const;

type ResultType = (typeof RELAYED)[keyof typeof RELAYED][1];

/**
 * Checks that the caller declared the capability a relayed request needs, and returns the type its
 * answer must have; any other request is refused (the hub relays nothing else to callers).
 */
export function assertCallerSupports(
  method: string,
  capabilities: ClientCapabilities | undefined,
): ResultType {
  const relayed = RELAYED[method as keyof typeof RELAYED];
  if (!relayed) throw new ProtocolError(JsonRpcCode.methodNotFound, `Method not found: ${method}`);
  const [capability, resultType] = relayed;
  if (!capabilities?.[capability])
    throw new ProtocolError(
      JsonRpcCode.missingCapability,
      `the client does not support ${capability} (Missing required client capability)`,
      { requiredCapabilities: { [capability]: {} } },
    );
  return resultType;
}

/**
 * What a 2026-07-28 spoke is told the caller can answer: the caller's own declaration, kept to the
 * capabilities the hub relays (a spoke must not ask for what nobody will answer). A REST call, or
 * a caller that declared none, can answer nothing.
 */
export function relayableCapabilities(capabilities: ClientCapabilities | undefined): ClientCapabilities {
  const relayable: ClientCapabilities = {};
  for (const [capability] of Object.values(RELAYED))
    if (capabilities?.[capability]) relayable[capability] = capabilities[capability] as never;
  return relayable;
}

/** The caller's answer, checked against the request's result type before a spoke sees it. */
export function checkedAnswer(method: string, resultType: ResultType, answer: unknown): unknown {
  if (!isSpecType[resultType](answer))
    throw new ProtocolError(
      JsonRpcCode.invalidParams,
      `the client answered ${method} with something that is not a ${resultType}`,
    );
  return answer;
}
