import { z } from 'zod';
import { defineTool, jsonResult, type SpokeTool } from '../../spoke/spoke-tool.js';
import { runTool } from '../compose-tools.js';
import { ToolInputError } from '../series-input.js';

/** The tools unified_market_data dispatches to, by query type. */
export interface DispatchTargets {
  stock_quote: SpokeTool;
  crypto_price: SpokeTool;
  news: SpokeTool;
  economic: SpokeTool;
  overview: SpokeTool;
}

/** unified_market_data: one entry point over quotes, crypto, news, economic series and the overview. */
export const unifiedMarketData = (targets: DispatchTargets) =>
  defineTool({
    name: 'unified_market_data',
    description:
      'One entry point for market data: query_type stock_quote (symbol), crypto_price (symbol), news (query), economic (indicator, a FRED id) or overview. Answers exactly what stock_quote, crypto_price, financial_news, economic_indicator or market_overview would, with the query type.',
    category: 'market',
    tags: ['dispatcher'],
    inputSchema: {
      query_type: z.enum(['stock_quote', 'crypto_price', 'news', 'economic', 'overview']),
      symbol: z.string().min(1).max(16).optional(),
      query: z.string().trim().min(1).max(200).optional(),
      indicator: z.string().trim().min(1).max(40).optional(),
      limit: z.number().int().min(1).max(50).optional(),
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
    handler: async ({ query_type, symbol, query, indicator, limit }, ctx) => {
      const need = (value: string | undefined, field: string) => {
        if (value === undefined) throw new ToolInputError(`query_type ${query_type} needs ${field}`);
        return value;
      };
      const args: Record<DispatchTargetsKey, () => Record<string, unknown>> = {
        stock_quote: () => ({ symbol: need(symbol, 'symbol') }),
        crypto_price: () => ({ symbol: need(symbol, 'symbol') }),
        news: () => ({ query: need(query ?? symbol, 'query (or symbol)'), ...(limit ? { limit } : {}) }),
        economic: () => ({ indicator: need(indicator, 'indicator'), ...(limit ? { limit } : {}) }),
        overview: () => ({}),
      };
      const key: DispatchTargetsKey = query_type === 'news' ? 'news' : query_type;
      const result = await runTool(targets[key], args[key](), ctx);
      return jsonResult({ query_type, ...result });
    },
  });

type DispatchTargetsKey = keyof DispatchTargets;
