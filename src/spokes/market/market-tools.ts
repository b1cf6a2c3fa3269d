import type { SpokeTool } from '../../spoke/spoke-tool.js';
import { createOfflineProvider } from '../data/offline-provider.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { anomalyDetection } from './anomaly-detection.js';
import { cryptoPrice } from './crypto-price.js';
import { dataStatus } from './data-status.js';
import { marketOverview } from './market-overview.js';
import { patternRecognition } from './pattern-recognition.js';
import { priceHistory } from './price-history.js';
import { stockComparison } from './stock-comparison.js';
import { stockQuote } from './stock-quote.js';
import { symbolSearch } from './symbol-search.js';
import { technicalAnalysis } from './technical-analysis.js';

/** Every tool of the market spoke. */
export function marketTools(provider: MarketDataProvider = createOfflineProvider()): SpokeTool[] {
  return [
    stockQuote,
    priceHistory,
    technicalAnalysis,
    stockComparison,
    marketOverview,
    cryptoPrice,
    symbolSearch,
    dataStatus,
    patternRecognition,
    anomalyDetection,
  ].map((make) => make(provider));
}
