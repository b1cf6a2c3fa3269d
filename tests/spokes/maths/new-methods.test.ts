// The methods behind the tools added for issue #16, against hand-computed values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Bar } from '../../../src/spokes/data/price-series.js';
import { factorRegression, longShortFactor } from '../../../src/spokes/maths/factor-model.js';
import { momentumScore, sentimentLabel, textSentiment } from '../../../src/spokes/maths/news-sentiment.js';
import {
  breakoutAlert,
  percentChangeAlerts,
  volumeSpikeAlert,
} from '../../../src/spokes/maths/price-alerts.js';
import { isLongTerm, lotPosition, selectLots } from '../../../src/spokes/maths/tax-lots.js';
import { healthScore } from '../../../src/spokes/portfolio/health-score.js';
import {
  concentration,
  diversifiedFund75510,
  ucits51040,
} from '../../../src/spokes/risk/compliance-rules.js';
import { scorecard } from '../../../src/spokes/risk/risk-scorecard.js';

const RATES = { short_term: 0.24, long_term: 0.15 };
const close = (a: number, b: number, tolerance = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tolerance, `${a} ≠ ${b}`);

describe('tax lots (portfolio_optimize_taxes)', () => {
  const old = { id: 'A', symbol: 'X', shares: 5, cost_basis: 100, purchase_date: '2016-01-04' };
  const recent = { id: 'B', symbol: 'X', shares: 10, cost_basis: 200, purchase_date: '2018-01-02' };

  it('long-term only when held more than a year', () => {
    assert.equal(isLongTerm('2017-05-01', '2018-05-01'), false);
    assert.equal(isLongTerm('2017-05-01', '2018-05-02'), true);
  });

  it('values a lot: gain, term and the tax its sale costs', () => {
    const p = lotPosition(recent, 150, '2018-05-01', RATES);
    assert.equal(p.unrealised_gain, -500);
    assert.equal(p.term, 'short');
    close(p.tax_if_sold, -120);
    assert.equal(p.holding_days, 119);
  });

  it('draws a sale from the lots by FIFO, LIFO, HIFO and tax-optimal identification', () => {
    const tax = (method: 'fifo' | 'lifo' | 'hifo' | 'tax_optimal') =>
      selectLots([old, recent], 8, method, 150, '2018-05-01', RATES);
    // FIFO: 5 of A (long-term gain 250 → 37.5) and 3 of B (short-term loss 150 → −36).
    close(tax('fifo').tax, 1.5);
    assert.deepEqual(
      tax('fifo').lots.map((l) => [l.lot, l.shares]),
      [
        ['A', 5],
        ['B', 3],
      ],
    );
    // LIFO, HIFO and tax-optimal all take 8 of B: a short-term loss of 400 → −96.
    for (const method of ['lifo', 'hifo', 'tax_optimal'] as const) close(tax(method).tax, -96);
    assert.equal(tax('tax_optimal').short_term_gain, -400);
  });
});

describe('compliance rules (risk_check_compliance)', () => {
  const spread = (n: number, w: number) => Object.fromEntries([...Array(n).keys()].map((i) => [`S${i}`, w]));

  it('UCITS 5/10/40: holdings above 5 % may total 40 %, none above 10 %', () => {
    const atLimit = { ...spread(15, 0.04), A: 0.08, B: 0.08, C: 0.08, D: 0.08, E: 0.08 };
    assert.deepEqual(
      ucits51040(atLimit).map((r) => r.passed),
      [true, true],
    );
    const over = { ...spread(13, 0.04), A: 0.08, B: 0.08, C: 0.08, D: 0.08, E: 0.08, F: 0.08 };
    assert.deepEqual(
      ucits51040(over).map((r) => r.passed),
      [true, false],
    );
    assert.equal(ucits51040({ A: 0.11, B: 0.89 })[0]!.passed, false);
  });

  it('1940 Act 75-5: Σ min(weight, 5 %) ≥ 75 %', () => {
    assert.equal(diversifiedFund75510(spread(20, 0.05)).passed, true);
    // One half-weight holding counts 5 %, 25 × 2 % count 50 %: 55 %.
    const concentrated = diversifiedFund75510({ A: 0.5, ...spread(25, 0.02) });
    assert.equal(concentrated.passed, false);
    assert.match(concentrated.detail, /^55\.00 %/);
  });

  it('concentration: Herfindahl index and effective number', () => {
    const c = concentration({ A: 0.5, B: 0.3, C: 0.2 });
    close(c.hhi, 0.38);
    close(c.effective_number_of_holdings, 1 / 0.38);
    close(c.top3_weight, 1);
  });
});

describe('scorecards (risk_generate_dashboard, portfolio_generate_dashboard)', () => {
  it('rates each indicator and scores points over the maximum', () => {
    const card = scorecard({ annualised_volatility: 0.12, sharpe_ratio: 0.7, max_drawdown: 0.3 });
    assert.deepEqual(
      card.ratings.map((r) => r.rating),
      ['GOOD', 'FAIR', 'POOR'],
    );
    // 2 + 1 + 0 of 6 points.
    assert.equal(card.score, 50);
    assert.equal(card.risk_level, 'MODERATE');
    assert.match(card.recommendations[0]!, /^Priority: deep drawdowns/);
  });

  it('health score: parts out of their weights, unmeasured parts left out and the rest scaled', () => {
    const health = healthScore({ performance: 1, risk: 0.6, diversification: 0.4 });
    // 30 + 15 + 8 = 53 of 75 → 70.7.
    assert.equal(health.score, 71);
    assert.equal(health.grade, 'B');
    assert.deepEqual(health.not_scored, ['rebalancing', 'tax']);
  });
});

describe('alerts (alert_system)', () => {
  const bars = (closes: number[], volumes: number[] = closes.map(() => 100)): Bar[] =>
    closes.map((c, i) => ({
      date: `2020-01-${String(i + 1).padStart(2, '0')}`,
      open: c,
      high: c,
      low: c,
      close: c,
      volume: volumes[i]!,
    }));

  it('one- and five-day changes against the threshold', () => {
    const alerts = percentChangeAlerts([100, 100, 100, 100, 105, 110], 0.05);
    close(alerts[0]!.value!, 110 / 105 - 1);
    assert.equal(alerts[0]!.triggered, false);
    close(alerts[1]!.value!, 0.1);
    assert.equal(alerts[1]!.triggered, true);
  });

  it('a volume spike against the 20-day average, and a break of the 20-day range', () => {
    const flat = Array(20).fill(100);
    const spike = volumeSpikeAlert(bars([...flat, 100], [...flat, 250]), 2);
    close(spike.value!, 2.5);
    assert.equal(spike.triggered, true);
    const breakout = breakoutAlert(bars([...flat, 101]));
    assert.equal(breakout.triggered, true);
    assert.equal(breakout.threshold, 100);
    assert.equal(breakoutAlert(bars([...flat, 100])).triggered, false);
  });
});

describe('sentiment (financial_news, sentiment_analysis)', () => {
  it('scores words with the financial-news AFINN list, over the most they could score', () => {
    // "loss" is −3 in the list: −3 / 5.
    close(textSentiment('A loss').score, -0.6);
    assert.equal(sentimentLabel(-0.6), 'VERY_NEGATIVE');
    close(textSentiment('A gain').score, 0.4);
    assert.equal(sentimentLabel(0.4), 'POSITIVE');
    assert.equal(textSentiment('The meeting is on Tuesday').score, 0);
  });

  it('momentum: RSI(14) over 30..70 and the 20-day return over ±10 %, averaged', () => {
    close(momentumScore(70, 0.05), 0.75);
    close(momentumScore(30, -0.2), -1);
    close(momentumScore(50, 0), 0);
  });
});

describe('factor model (portfolio_analyze_factors)', () => {
  it('recovers known betas and alpha by OLS', () => {
    const n = 300;
    const f1 = [...Array(n).keys()].map((t) => 0.01 * Math.sin(t * 0.7));
    const f2 = [...Array(n).keys()].map((t) => 0.008 * Math.cos(t * 1.3));
    const noise = [...Array(n).keys()].map((t) => 1e-5 * Math.sin(t * 7.3 + 1));
    const y = f1.map((_, t) => 0.0004 + 1.5 * f1[t]! - 0.5 * f2[t]! + noise[t]!);
    const fit = factorRegression(y, [f1, f2]);
    close(fit.alpha, 0.0004, 1e-5);
    close(fit.betas[0]!, 1.5, 1e-3);
    close(fit.betas[1]!, -0.5, 1e-3);
    assert.ok(fit.r2 > 0.999);
  });

  it('a long-short factor earns the top third minus the bottom third of the ranking', () => {
    const returns = [
      [0.01, 0.02, 0.03],
      [0.0, 0.0, 0.0],
      [0.05, -0.01, 0.02],
    ];
    // Ranked by asset number: long asset 2, short asset 0, from day 1.
    assert.deepEqual(
      longShortFactor(returns, (asset) => asset, 1).map((x) => Number(x.toFixed(12))),
      [-0.03, -0.01],
    );
  });
});
