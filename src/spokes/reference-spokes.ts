import type { SpokeTool } from '../spoke/spoke-tool.js';
import type { MarketDataProvider } from './data/price-series.js';
import { marketTools } from './market/market-tools.js';
import { portfolioTools } from './portfolio/portfolio-tools.js';
import { riskTools } from './risk/risk-tools.js';

/** The three reference spokes: their default ports and tool lists. */
export const REFERENCE_SPOKES = {
  market: { defaultPort: 8001, tools: (provider?: MarketDataProvider): SpokeTool[] => marketTools(provider) },
  risk: { defaultPort: 8002, tools: (provider?: MarketDataProvider): SpokeTool[] => riskTools(provider) },
  portfolio: {
    defaultPort: 8003,
    tools: (provider?: MarketDataProvider): SpokeTool[] => portfolioTools(provider),
  },
} as const;

export type ReferenceSpokeName = keyof typeof REFERENCE_SPOKES;
