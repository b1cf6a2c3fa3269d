import type { SpokeTool } from '../../spoke/spoke-tool.js';
import { createOfflineProvider } from '../data/offline-provider.js';
import type { MarketDataProvider } from '../data/price-series.js';
import type { LiveSources } from '../live/live-sources.js';
import { alertSystem } from './alert-system.js';
import { anomalyDetection } from './anomaly-detection.js';
import { cryptoPrice } from './crypto-price.js';
import { dataStatus } from './data-status.js';
import { economicIndicator } from './economic-indicator.js';
import { financialNews } from './financial-news.js';
import { marketOverview } from './market-overview.js';
import { patternRecognition } from './pattern-recognition.js';
import { priceHistory } from './price-history.js';
import { sentimentAnalysis } from './sentiment-analysis.js';
import { stockComparison } from './stock-comparison.js';
import { stockQuote } from './stock-quote.js';
import { symbolSearch } from './symbol-search.js';
import { technicalAnalysis } from './technical-analysis.js';
import { unifiedMarketData } from './unified-market-data.js';

/** Every tool of the market spoke; `live` holds the providers the spoke has keys for. */
export function marketTools(
  provider: MarketDataProvider = createOfflineProvider(),
  live: LiveSources = {},
): SpokeTool[] {
  const quote = stockQuote(provider, live);
  const crypto = cryptoPrice(provider, live);
  const news = financialNews(live);
  const economic = economicIndicator(live);
  const overview = marketOverview(provider);
  return [
    unifiedMarketData({ stock_quote: quote, crypto_price: crypto, news, economic, overview }),
    quote,
    priceHistory(provider),
    technicalAnalysis(provider),
    stockComparison(provider),
    overview,
    crypto,
    symbolSearch(provider),
    dataStatus(provider, live),
    patternRecognition(provider),
    anomalyDetection(provider),
    news,
    economic,
    sentimentAnalysis(provider, live),
    alertSystem(provider),
  ];
}
