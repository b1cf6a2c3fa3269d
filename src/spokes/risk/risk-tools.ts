import type { SpokeTool } from '../../spoke/spoke-tool.js';
import { createOfflineProvider } from '../data/offline-provider.js';
import type { MarketDataProvider } from '../data/price-series.js';
import type { LiveSources } from '../live/live-sources.js';
import { analyzePortfolio } from './analyze-portfolio.js';
import { calculateGreeks } from './calculate-greeks.js';
import { calculateMetrics } from './calculate-metrics.js';
import { calculateVar } from './calculate-var.js';
import { checkCompliance } from './check-compliance.js';
import { riskDashboard } from './risk-dashboard.js';
import { stressTest } from './stress-test.js';
import { analyzeTailRisk } from './tail-risk.js';

/** Every tool of the risk spoke; `live` holds the providers the spoke has keys for. */
export function riskTools(
  provider: MarketDataProvider = createOfflineProvider(),
  live: LiveSources = {},
): SpokeTool[] {
  const parts = {
    var: calculateVar(provider),
    metrics: calculateMetrics(provider),
    portfolio: analyzePortfolio(provider),
    stress: stressTest(provider),
    tail: analyzeTailRisk(provider),
  };
  return [
    parts.var,
    parts.metrics,
    parts.portfolio,
    parts.stress,
    parts.tail,
    calculateGreeks(provider),
    checkCompliance(provider, live),
    riskDashboard(provider, parts),
  ];
}
