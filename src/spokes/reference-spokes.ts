import type { SpokeTool } from '../spoke/spoke-tool.js';
import type { MarketDataProvider } from './data/price-series.js';
import type { LiveSources } from './live/live-sources.js';
import { marketTools } from './market/market-tools.js';
import { portfolioTools } from './portfolio/portfolio-tools.js';
import { riskTools } from './risk/risk-tools.js';
import { announcingSyntheticData } from './synthetic-notice.js';

/** The three reference spokes: their default ports and tool lists (results announce synthetic data). */
export const REFERENCE_SPOKES = {
  market: {
    defaultPort: 8001,
    tools: (provider?: MarketDataProvider, live?: LiveSources): SpokeTool[] =>
      announcingSyntheticData(marketTools(provider, live)),
  },
  risk: {
    defaultPort: 8002,
    tools: (provider?: MarketDataProvider, live?: LiveSources): SpokeTool[] =>
      announcingSyntheticData(riskTools(provider, live)),
  },
  portfolio: {
    defaultPort: 8003,
    tools: (provider?: MarketDataProvider, _live?: LiveSources): SpokeTool[] =>
      announcingSyntheticData(portfolioTools(provider)),
  },
} as const;

export type ReferenceSpokeName = keyof typeof REFERENCE_SPOKES;
