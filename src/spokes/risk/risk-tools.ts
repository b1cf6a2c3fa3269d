import type { SpokeTool } from '../../spoke/spoke-tool.js';
import { createOfflineProvider } from '../data/offline-provider.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { analyzePortfolio } from './analyze-portfolio.js';
import { calculateGreeks } from './calculate-greeks.js';
import { calculateMetrics } from './calculate-metrics.js';
import { calculateVar } from './calculate-var.js';
import { stressTest } from './stress-test.js';
import { analyzeTailRisk } from './tail-risk.js';

/** Every tool of the risk spoke. */
export function riskTools(provider: MarketDataProvider = createOfflineProvider()): SpokeTool[] {
  return [calculateVar, calculateMetrics, analyzePortfolio, stressTest, analyzeTailRisk, calculateGreeks].map(
    (make) => make(provider),
  );
}
