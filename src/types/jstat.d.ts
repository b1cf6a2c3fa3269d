// The part of jstat (no bundled types) the spokes use.
declare module 'jstat' {
  interface Distribution {
    cdf(x: number, ...params: number[]): number;
    pdf(x: number, ...params: number[]): number;
    inv(p: number, ...params: number[]): number;
  }
  interface OlsModel {
    coef: number[];
    R2: number;
    adjust_R2: number;
    t: { t: number[]; p: number[] };
  }
  const jstat: {
    jStat: {
      normal: Distribution;
      chisquare: Distribution;
      studentt: Distribution;
      stdev(values: number[], sample?: boolean): number;
      models: { ols(endog: number[], exog: number[][]): OlsModel };
    };
  };
  export default jstat;
}
