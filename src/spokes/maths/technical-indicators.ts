import { BollingerBands, EMA, MACD, RSI, SMA } from 'technicalindicators';

/** The latest values of the classic indicators over a close series, with plain-language signals. */
export function technicalSnapshot(closes: number[]) {
  const last = closes[closes.length - 1]!;
  const latest = (xs: number[]) => xs[xs.length - 1];
  const sma20 = latest(SMA.calculate({ period: 20, values: closes }));
  const sma50 = latest(SMA.calculate({ period: 50, values: closes }));
  const sma200 = latest(SMA.calculate({ period: 200, values: closes }));
  const ema12 = latest(EMA.calculate({ period: 12, values: closes }));
  const ema26 = latest(EMA.calculate({ period: 26, values: closes }));
  const rsi = latest(RSI.calculate({ period: 14, values: closes }));
  const macdSeries = MACD.calculate({
    values: closes,
    fastPeriod: 12,
    slowPeriod: 26,
    signalPeriod: 9,
    SimpleMAOscillator: false,
    SimpleMASignal: false,
  });
  const macd = macdSeries[macdSeries.length - 1];
  const previousMacd = macdSeries[macdSeries.length - 2];
  const bands = latest(BollingerBands.calculate({ period: 20, stdDev: 2, values: closes }) as never[]) as
    | { upper: number; middle: number; lower: number }
    | undefined;
  const signals: string[] = [];
  if (rsi !== undefined) {
    if (rsi > 70) signals.push(`RSI ${rsi.toFixed(1)} above 70: overbought`);
    else if (rsi < 30) signals.push(`RSI ${rsi.toFixed(1)} below 30: oversold`);
    else signals.push(`RSI ${rsi.toFixed(1)}: neutral`);
  }
  if (macd?.histogram !== undefined && previousMacd?.histogram !== undefined) {
    if (previousMacd.histogram <= 0 && macd.histogram > 0)
      signals.push('MACD crossed above its signal line: bullish');
    else if (previousMacd.histogram >= 0 && macd.histogram < 0)
      signals.push('MACD crossed below its signal line: bearish');
    else
      signals.push(
        `MACD histogram ${macd.histogram > 0 ? 'positive' : 'negative'}: ${macd.histogram > 0 ? 'bullish' : 'bearish'} momentum`,
      );
  }
  if (bands) {
    if (last > bands.upper) signals.push('price above the upper Bollinger band: stretched to the upside');
    else if (last < bands.lower)
      signals.push('price below the lower Bollinger band: stretched to the downside');
  }
  let trend = 'insufficient data';
  if (sma20 !== undefined && sma50 !== undefined) {
    trend =
      last > sma20 && sma20 > sma50 ? 'uptrend' : last < sma20 && sma20 < sma50 ? 'downtrend' : 'sideways';
  }
  return {
    last_close: last,
    sma: { sma20, sma50, sma200 },
    ema: { ema12, ema26 },
    rsi14: rsi,
    macd: macd ? { macd: macd.MACD, signal: macd.signal, histogram: macd.histogram } : undefined,
    bollinger: bands,
    trend,
    signals,
  };
}

export { EMA, MACD, RSI };
