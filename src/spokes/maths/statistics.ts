import jstat from 'jstat';
import * as ss from 'simple-statistics';

const { jStat } = jstat;

export const mean = (xs: number[]): number => ss.mean(xs);
/** Sample standard deviation (n − 1). */
export const stdev = (xs: number[]): number => (xs.length < 2 ? 0 : ss.sampleStandardDeviation(xs));
export const covariance = (a: number[], b: number[]): number => ss.sampleCovariance(a, b);
export const correlation = (a: number[], b: number[]): number => ss.sampleCorrelation(a, b);
export const skewness = (xs: number[]): number => ss.sampleSkewness(xs);
/** Excess kurtosis (normal = 0). */
export const excessKurtosis = (xs: number[]): number => ss.sampleKurtosis(xs);
export const quantile = (xs: number[], p: number): number => ss.quantile(xs, p);
export const normalCdf = (x: number): number => jStat.normal.cdf(x, 0, 1);
export const normalPdf = (x: number): number => jStat.normal.pdf(x, 0, 1);
export const normalInv = (p: number): number => jStat.normal.inv(p, 0, 1);
export const chiSquareCdf = (x: number, dof: number): number => jStat.chisquare.cdf(x, dof);

/** Simple returns of a price series. */
export function simpleReturns(prices: number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < prices.length; i++) out.push(prices[i]! / prices[i - 1]! - 1);
  return out;
}

/** Sample covariance matrix of return series (columns are assets). */
export function covarianceMatrix(series: number[][]): number[][] {
  return series.map((a) => series.map((b) => covariance(a, b)));
}

export function round(value: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
