import type { SpokeTool } from '../../spoke/spoke-tool.js';
import { createOfflineProvider } from '../data/offline-provider.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { allocate } from './allocate.js';
import { analyzeFactors } from './analyze-factors.js';
import { analyzePerformance } from './analyze-performance.js';
import { backtest } from './backtest.js';
import { efficientFrontier } from './efficient-frontier.js';
import { optimize } from './optimize.js';
import { optimizeTaxes } from './optimize-taxes.js';
import { portfolioDashboard } from './portfolio-dashboard.js';
import { rebalance } from './rebalance.js';

/** Every tool of the portfolio spoke. */
export function portfolioTools(provider: MarketDataProvider = createOfflineProvider()): SpokeTool[] {
  const performance = analyzePerformance(provider);
  const taxes = optimizeTaxes(provider);
  return [
    optimize(provider),
    efficientFrontier(provider),
    rebalance(),
    performance,
    backtest(provider),
    allocate(provider),
    analyzeFactors(provider),
    taxes,
    portfolioDashboard(provider, { performance, taxes }),
  ];
}
