// The part of jstat (no bundled types) the spokes use.
declare module 'jstat' {
  interface Distribution {
    cdf(x: number, ...params: number[]): number;
    pdf(x: number, ...params: number[]): number;
    inv(p: number, ...params: number[]): number;
  }
  const jstat: { jStat: { normal: Distribution; chisquare: Distribution; studentt: Distribution } };
  export default jstat;
}
