import { afinn165FinancialMarketNews } from 'afinn-165-financialmarketnews';
import Sentiment from 'sentiment';

// AFINN-165 as adjusted for financial market news (the word list `natural` uses for the domain):
// "plunge" is −2 there, "bullish" +1, "loss" −3. Scored by the `sentiment` package.
const analyzer = new Sentiment();

export type SentimentLabel = 'VERY_NEGATIVE' | 'NEGATIVE' | 'NEUTRAL' | 'POSITIVE' | 'VERY_POSITIVE';

/**
 * A text's tone in [−1, 1]: the AFINN points of its scored words over the most they could have
 * been (5 each), so one strong word counts more than several weak ones, and unscored words
 * (names, numbers) do not dilute it. 0 when no word is scored.
 */
export function textSentiment(text: string): { score: number; positive: string[]; negative: string[] } {
  const result = analyzer.analyze(text, { extras: afinn165FinancialMarketNews });
  const scored = result.calculation.length;
  return {
    score: scored === 0 ? 0 : result.score / (5 * scored),
    positive: result.positive,
    negative: result.negative,
  };
}

/** Five bands of a score in [−1, 1]. */
export function sentimentLabel(score: number): SentimentLabel {
  if (score <= -0.5) return 'VERY_NEGATIVE';
  if (score <= -0.1) return 'NEGATIVE';
  if (score < 0.1) return 'NEUTRAL';
  if (score < 0.5) return 'POSITIVE';
  return 'VERY_POSITIVE';
}

/**
 * Price momentum as a score in [−1, 1]: RSI(14) mapped linearly from [30, 70] onto [−1, 1]
 * (clamped), averaged with the 20-day return scaled so that ±10 % is ±1 (clamped). Replaces the
 * original's constant "momentum = 3" placeholder (finance-spokes.md §1.7).
 */
export function momentumScore(rsi14: number, return20d: number): number {
  const clamp = (x: number) => Math.max(-1, Math.min(1, x));
  return (clamp((rsi14 - 50) / 20) + clamp(return20d / 0.1)) / 2;
}
