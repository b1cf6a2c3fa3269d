/**
 * Portfolio rules a compliance check applies, each as a pure function of the weights (fractions of
 * the portfolio, summing to 1).
 */

/** FATF's high-risk jurisdictions subject to a call for action (its "black list"): DPRK, Iran, Myanmar. */
export const FATF_CALL_FOR_ACTION: Record<string, string> = {
  KP: "Democratic People's Republic of Korea",
  IR: 'Iran',
  MM: 'Myanmar',
};

export interface RuleOutcome {
  rule: string;
  passed: boolean;
  detail: string;
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/**
 * UCITS 5/10/40 (Directive 2009/65/EC, art. 52(1)–(2)): at most 10 % in one issuer, and the
 * holdings above 5 % together at most 40 %.
 */
export function ucits51040(weights: Record<string, number>): RuleOutcome[] {
  const entries = Object.entries(weights);
  const over10 = entries.filter(([, w]) => w > 0.1);
  const above5 = entries.filter(([, w]) => w > 0.05);
  const above5Total = above5.reduce((s, [, w]) => s + w, 0);
  return [
    {
      rule: 'UCITS 10 % issuer limit',
      passed: over10.length === 0,
      detail:
        over10.length === 0
          ? 'no holding above 10 %'
          : `above 10 %: ${over10.map(([s, w]) => `${s} ${pct(w)}`).join(', ')}`,
    },
    {
      rule: 'UCITS 40 % aggregate of holdings above 5 %',
      // Tolerance: five holdings of 8 % sum to 0.4000000000000001 in floating point.
      passed: above5Total <= 0.4 + 1e-9,
      detail: `holdings above 5 % total ${pct(above5Total)} (${above5.map(([s]) => s).join(', ') || 'none'})`,
    },
  ];
}

/**
 * The US diversified-fund test (Investment Company Act of 1940, §5(b)(1)), by weight: at least
 * 75 % of assets in holdings counted up to 5 % of assets per issuer, so Σ min(w, 5 %) ≥ 75 %.
 * (Its 10 %-of-voting-securities part needs issuer data the spokes do not have.)
 */
export function diversifiedFund75510(weights: Record<string, number>): RuleOutcome {
  const counted = Object.values(weights).reduce((s, w) => s + Math.min(w, 0.05), 0);
  return {
    rule: '1940 Act 75-5 diversification',
    passed: counted >= 0.75 - 1e-9,
    detail: `${pct(counted)} of assets count toward the 75 % basket (each issuer up to 5 %)`,
  };
}

/** Concentration of a weight vector: Herfindahl index, effective number of holdings, largest and top three. */
export function concentration(weights: Record<string, number>) {
  const values = Object.values(weights).sort((a, b) => b - a);
  const hhi = values.reduce((s, w) => s + w * w, 0);
  return {
    hhi,
    effective_number_of_holdings: hhi === 0 ? 0 : 1 / hhi,
    largest_weight: values[0] ?? 0,
    top3_weight: values.slice(0, 3).reduce((s, w) => s + w, 0),
  };
}

/** Weights summed by sector (unknown sectors together). */
export function sectorWeights(
  weights: Record<string, number>,
  sectorOf: (symbol: string) => string | undefined,
) {
  const sectors: Record<string, number> = {};
  for (const [symbol, w] of Object.entries(weights)) {
    const sector = sectorOf(symbol) ?? 'Unknown';
    sectors[sector] = (sectors[sector] ?? 0) + w;
  }
  return sectors;
}
