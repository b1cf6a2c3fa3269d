import type { SpokeTool } from '../spoke/spoke-tool.js';
import type { MarketDataProvider } from './data/price-series.js';
import { marketTools } from './market/market-tools.js';
import { portfolioTools } from './portfolio/portfolio-tools.js';
import { riskTools } from './risk/risk-tools.js';
import { announcingSyntheticData } from './synthetic-notice.js';

/** The three reference spokes: their default ports and tool lists (results announce synthetic data). */
export const REFERENCE_SPOKES = {
  market: {
    defaultPort: 8001,
    tools: (provider?: MarketDataProvider): SpokeTool[] => announcingSyntheticData(marketTools(provider)),
  },
  risk: {
    defaultPort: 8002,
    tools: (provider?: MarketDataProvider): SpokeTool[] => announcingSyntheticData(riskTools(provider)),
  },
  portfolio: {
    defaultPort: 8003,
    tools: (provider?: MarketDataProvider): SpokeTool[] => announcingSyntheticData(portfolioTools(provider)),
  },
} as const;

export type ReferenceSpokeName = keyof typeof REFERENCE_SPOKES;
