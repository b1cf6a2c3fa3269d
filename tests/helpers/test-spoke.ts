import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { createSilentLogger } from '../../src/logger.js';
import { type Spoke, startSpoke } from '../../src/spoke/create-spoke.js';
import { defineTool, jsonResult, type SpokeTool, toolError } from '../../src/spoke/spoke-tool.js';

/** What a test spoke saw: calls per tool, cancellations, and the headers of every tools/call. */
export interface SpokeLog {
  calls: Map<string, number>;
  cancelled: string[];
  headers: Record<string, string | string[] | undefined>[];
  /** Transport-level failure per tool name: 'status500' answers HTTP 500, 'reset' drops the connection after reading the call. */
  failures: Map<string, 'status500' | 'reset'>;
  count(tool: string): number;
}

/**
 * A real SDK spoke on port 0 with tools for engine tests: echo (read-only), add (idempotent),
 * write (side effects), slow (waits, reports progress, notices cancellation), hold (runs until the
 * test calls `release()` or the call is cancelled: a test controls when it ends, not a clock),
 * broken (isError).
 */
export async function startTestSpoke(
  t: TestContext,
  options: {
    name?: string;
    serviceId?: string;
    hubUrl?: string;
    port?: number;
    extraTools?: SpokeTool[];
    ttlSeconds?: number;
    /** The protocol eras its /mcp serves (the kit's default: the handshake era). */
    eras?: 'both' | 'modern' | 'legacy';
  } = {},
): Promise<Spoke & { log: SpokeLog; release: () => void; readonly held: number }> {
  const log: SpokeLog = {
    calls: new Map(),
    cancelled: [],
    headers: [],
    failures: new Map(),
    count: (tool) => log.calls.get(tool) ?? 0,
  };
  const seen = (tool: string) => log.calls.set(tool, log.count(tool) + 1);
  const holds = new Set<() => void>();
  const tools: SpokeTool[] = [
    defineTool({
      name: 'echo',
      description: 'Echoes its text',
      inputSchema: { text: z.string() },
      annotations: { readOnlyHint: true },
      handler: ({ text }) => {
        seen('echo');
        return jsonResult({ text });
      },
    }),
    defineTool({
      name: 'add',
      description: 'Adds two numbers',
      inputSchema: { a: z.number(), b: z.number() },
      annotations: { idempotentHint: true },
      handler: ({ a, b }) => {
        seen('add');
        return jsonResult({ sum: a + b });
      },
    }),
    defineTool({
      name: 'write',
      description: 'A call with side effects (never retried after it may have run)',
      inputSchema: { value: z.string() },
      handler: ({ value }) => {
        seen('write');
        return jsonResult({ stored: value });
      },
    }),
    defineTool({
      name: 'slow',
      description: 'Waits ms milliseconds, reporting progress',
      inputSchema: { ms: z.number().int().min(0).max(120_000) },
      annotations: { readOnlyHint: true },
      handler: async ({ ms }, ctx) => {
        seen('slow');
        const token = ctx.mcpReq._meta?.progressToken;
        const steps = 4;
        for (let i = 1; i <= steps; i++) {
          try {
            await sleep(ms / steps, undefined, { signal: ctx.mcpReq.signal });
          } catch {
            log.cancelled.push(String(ctx.mcpReq.id));
            throw new Error('cancelled');
          }
          if (token !== undefined) {
            await ctx.mcpReq.notify({
              method: 'notifications/progress',
              params: { progressToken: token, progress: i, total: steps },
            });
          }
        }
        return jsonResult({ waited: ms });
      },
    }),
    defineTool({
      name: 'hold',
      description: 'Runs until the test releases it (or the call is cancelled)',
      inputSchema: {},
      annotations: { readOnlyHint: true },
      handler: async (_args, ctx) => {
        seen('hold');
        await new Promise<void>((resolve, reject) => {
          const done = () => {
            holds.delete(done);
            resolve();
          };
          holds.add(done);
          ctx.mcpReq.signal.addEventListener(
            'abort',
            () => {
              holds.delete(done);
              log.cancelled.push(String(ctx.mcpReq.id));
              reject(new Error('cancelled'));
            },
            { once: true },
          );
        });
        return jsonResult({ held: true });
      },
    }),
    defineTool({
      name: 'broken',
      description: 'Always reports a tool error',
      inputSchema: {},
      handler: () => {
        seen('broken');
        return toolError('broken on purpose');
      },
    }),
    ...(options.extraTools ?? []),
  ];
  const spoke = await startSpoke({
    name: options.name ?? 'testspoke',
    serviceId: options.serviceId,
    tools,
    port: options.port ?? 0,
    hubUrl: options.hubUrl,
    ttlSeconds: options.ttlSeconds,
    eras: options.eras,
    logger: createSilentLogger(),
    middleware: [
      (req, res, next) => {
        const body = req.body as { method?: string; params?: { name?: string } } | undefined;
        if (req.method === 'POST' && body?.method === 'tools/call') {
          log.headers.push({ ...req.headers });
          const failure = log.failures.get(body.params?.name ?? '');
          if (failure) {
            seen(body.params?.name ?? '');
            if (failure === 'status500') return void res.status(500).json({ error: 'spoke exploded' });
            return void req.socket.destroy();
          }
        }
        next();
      },
    ],
  });
  t.after(() => spoke.close());
  // A getter, not a value: Object.assign would copy the count once.
  Object.defineProperty(spoke, 'held', { get: () => holds.size, enumerable: true });
  return Object.assign(spoke as Spoke & { readonly held: number }, {
    log,
    /** Ends every `hold` call running now. */
    release: () => {
      for (const done of [...holds]) done();
    },
  });
}
