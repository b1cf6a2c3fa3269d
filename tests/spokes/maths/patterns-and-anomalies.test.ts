// The maths behind pattern_recognition and anomaly_detection, against hand-computed values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Bar } from '../../../src/spokes/data/price-series.js';
import {
  flagged,
  openingGaps,
  rangeBreakouts,
  rollingVolatility,
  zScores,
} from '../../../src/spokes/maths/anomalies.js';
import {
  doubleTopBottom,
  headAndShoulders,
  localExtrema,
  trendLine,
  triangle,
} from '../../../src/spokes/maths/chart-patterns.js';

const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );
const bar = (date: string, open: number, high: number, low: number, closeValue: number, volume = 0): Bar => ({
  date,
  open,
  high,
  low,
  close: closeValue,
  volume,
});

describe('anomaly maths', () => {
  it('z-scores use the sample standard deviation: 1..5 → ±1.2649, ±0.6325, 0', () => {
    const z = zScores([1, 2, 3, 4, 5]);
    // mean 3, sample sd √2.5 = 1.5811
    for (const [i, expected] of [-1.2649, -0.6325, 0, 0.6325, 1.2649].entries())
      close(z[i]!, expected, 1e-4, `z[${i}]`);
    assert.deepEqual(zScores([2, 2, 2]), [0, 0, 0], 'a flat series has no anomaly');
  });

  it('rolling volatility annualises the window’s sample standard deviation: (0.01, −0.01) → 0.014142 × √252 = 0.2245', () => {
    const vol = rollingVolatility([0.01, -0.01, 0.03], 2);
    close(vol[0]!, 0.014142 * Math.sqrt(252), 1e-5, 'first window');
    close(vol[1]!, 0.028284 * Math.sqrt(252), 1e-5, 'second window (−0.01, 0.03): sd 0.028284');
  });

  it('flags |z| at or over the threshold, largest first, HIGH from threshold + 1', () => {
    // Nineteen zeros and one 1: mean 0.05, squared deviations 19 × 0.0025 + 0.9025 = 0.95,
    // sample variance 0.95 / 19 = 0.05 → z of the 1 = 0.95 / √0.05 = 0.95 × √20 = 4.2485.
    const values = [...Array(19).fill(0), 1];
    const dates = values.map((_, i) => `2020-01-${String(i + 1).padStart(2, '0')}`);
    const hits = flagged(dates, values, 2.5);
    assert.equal(hits.length, 1);
    close(hits[0]!.z, 0.95 * Math.sqrt(20), 1e-9, 'z of the outlier');
    assert.equal(hits[0]!.severity, 'HIGH');
    assert.equal(flagged(dates, values, 4)[0]!.severity, 'MEDIUM', '4.25 < 4 + 1');
  });

  it('gaps are open over the previous close; breakouts close beyond the previous range', () => {
    const bars = [
      bar('d1', 10, 11, 9, 10),
      bar('d2', 10.5, 11, 10, 10.8),
      bar('d3', 10.8, 12.5, 10.7, 12.2),
      bar('d4', 12, 12.1, 8, 8.5),
    ];
    const gaps = openingGaps(bars);
    close(gaps[0]!, 0.05, 1e-12, 'd2 opens 5 % above d1');
    close(gaps[2]!, 12 / 12.2 - 1, 1e-12, 'd4');
    assert.deepEqual(rangeBreakouts(bars, 2), [
      { date: 'd3', close: 12.2, direction: 'up', level: 11 },
      { date: 'd4', close: 8.5, direction: 'down', level: 10 },
    ]);
  });
});

describe('chart-pattern maths', () => {
  it('a straight line is a strong trend with R² = 1 and its exact slope', () => {
    const { slope, intercept, r2 } = trendLine([100, 102, 104, 106, 108]);
    close(slope, 2, 1e-12, 'slope');
    close(intercept, 100, 1e-12, 'intercept');
    close(r2, 1, 1e-12, 'R²');
  });

  it('finds extrema with strict neighbours on each side (argrelextrema)', () => {
    const values = [1, 3, 2, 5, 2, 4, 1, 2];
    assert.deepEqual(localExtrema(values, 1), { peaks: [1, 3, 5], troughs: [2, 4, 6] });
    assert.deepEqual(
      localExtrema(values, 2),
      { peaks: [3], troughs: [] },
      'index 4 (2) is not below 1 two to the right',
    );
  });

  it('recognises head and shoulders, a double top and a double bottom on shapes built for them', () => {
    // Shoulders 10 and 10.3 (within 5 %), head 12.
    const hs = [8, 10, 8, 12, 8, 10.3, 8];
    const { peaks } = localExtrema(hs, 1);
    const found = headAndShoulders(hs, peaks);
    assert.equal(found.found, true);
    if (found.found)
      assert.deepEqual([found.left.value, found.head.value, found.right.value], [10, 12, 10.3]);
    assert.equal(
      headAndShoulders([8, 10, 8, 12, 8, 11, 8], localExtrema([8, 10, 8, 12, 8, 11, 8], 1).peaks).found,
      false,
    );

    const dt = [5, 10, 7, 10.2, 6];
    const extrema = localExtrema(dt, 1);
    assert.ok(doubleTopBottom(dt, extrema.peaks, extrema.troughs).double_top, 'tops 10 and 10.2: 2 % apart');
    const db = [10, 5, 8, 5.1, 9];
    const e2 = localExtrema(db, 1);
    assert.ok(doubleTopBottom(db, e2.peaks, e2.troughs).double_bottom, 'bottoms 5 and 5.1');
  });

  it('tells ascending, descending and symmetrical triangles apart', () => {
    // Peaks at 10 every time, troughs rising: ascending.
    const ascending = [8, 10, 8.5, 10, 9, 10, 9.5, 10, 9.8];
    const a = localExtrema(ascending, 1);
    assert.equal(triangle(ascending, a.peaks, a.troughs).kind, 'ascending');
    const descending = ascending.map((v) => 18 - v);
    const d = localExtrema(descending, 1);
    assert.equal(triangle(descending, d.peaks, d.troughs).kind, 'descending');
    const symmetrical = [5, 10, 6, 9, 7, 8, 7.4, 7.6, 7.5];
    const s = localExtrema(symmetrical, 1);
    assert.equal(triangle(symmetrical, s.peaks, s.troughs).kind, 'symmetrical');
  });
});
