import { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';

/**
 * Request and response classes for `http.createServer` whose prototypes are the express app's own
 * `app.request` and `app.response`, so that every request arrives already shaped the way express
 * wants it and express's per-request `Object.setPrototypeOf(req, app.request)` (and `res`) is a
 * no-op.
 *
 * Why: with that prototype change per request, V8's young-generation collections found much of
 * what requests had allocated still reachable and copied it (why, inside V8, was not looked into;
 * the effect was measured). On this machine (`--trace-gc-nvp`, 5,000 sequential GETs of a 2 KB
 * body on one kept-alive connection): a bare express app kept 3.4–3.6 MB of every ~10 MB a
 * scavenge went through, with pauses of 8–14 ms, where the same server without express kept
 * nothing and paused 0.3 ms; with these classes express keeps ~1 KB and pauses 0.4 ms. Those
 * pauses were the tail of the registry's lookups (SPEC §10, p99 < 10 ms). A plain function
 * constructor built with `Reflect.construct` instead of a class still kept ~0.2–0.5 MB a
 * scavenge: classes it is.
 *
 * Express's own request and response objects stay as they were (other apps share them): the
 * classes' prototypes get copies of their properties, then become `app.request` and
 * `app.response`.
 */
export function expressShapedMessages(app: Express): {
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
} {
  class ExpressRequest extends IncomingMessage {}
  class ExpressResponse extends ServerResponse {}
  takeOver(ExpressRequest.prototype, app.request, IncomingMessage.prototype);
  takeOver(ExpressResponse.prototype, app.response, ServerResponse.prototype);
  app.request = ExpressRequest.prototype as unknown as Express['request'];
  app.response = ExpressResponse.prototype as unknown as Express['response'];
  return { IncomingMessage: ExpressRequest, ServerResponse: ExpressResponse as typeof ServerResponse };
}

/** Copies onto `target` every property `source` has or inherits above Node's own prototype `base`. */
function takeOver(target: object, source: object, base: object): void {
  const chain: object[] = [];
  for (let p: object | null = source; p !== null && p !== base; p = Object.getPrototypeOf(p))
    chain.unshift(p);
  // The furthest first, so that what the app overrides wins, as it does through the prototype chain.
  for (const p of chain) Object.defineProperties(target, Object.getOwnPropertyDescriptors(p));
}
