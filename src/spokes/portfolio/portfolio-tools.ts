import type { SpokeTool } from '../../spoke/spoke-tool.js';
import { createOfflineProvider } from '../data/offline-provider.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { allocate } from './allocate.js';
import { analyzePerformance } from './analyze-performance.js';
import { backtest } from './backtest.js';
import { efficientFrontier } from './efficient-frontier.js';
import { optimize } from './optimize.js';
import { rebalance } from './rebalance.js';

/** Every tool of the portfolio spoke. */
export function portfolioTools(provider: MarketDataProvider = createOfflineProvider()): SpokeTool[] {
  return [
    optimize(provider),
    efficientFrontier(provider),
    rebalance(),
    analyzePerformance(provider),
    backtest(provider),
    allocate(provider),
  ];
}
