import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { keyMissing } from '../live/live-request.js';
import type { LiveSources } from '../live/live-sources.js';
import { round } from '../maths/statistics.js';
import { ToolInputError } from '../series-input.js';
import { checkWeights } from './analyze-portfolio.js';
import {
  concentration,
  diversifiedFund75510,
  FATF_CALL_FOR_ACTION,
  sectorWeights,
  ucits51040,
} from './compliance-rules.js';

const CHECKS = ['entity_screening', 'concentration', 'regulatory_limits'] as const;
/** OpenSanctions' own threshold for a match; 0.9 and above is treated as a confirmed hit. */
const MATCH_THRESHOLD = 0.7;
const HIT_THRESHOLD = 0.9;

/** risk_check_compliance: sanctions/PEP screening of an entity and a portfolio's concentration and regulatory limits. */
export const checkCompliance = (provider: MarketDataProvider, live: LiveSources) =>
  defineTool({
    name: 'risk_check_compliance',
    description:
      "Compliance checks. entity_screening: an entity's name against the sanctions, PEP and watch lists consolidated by OpenSanctions (live, needs OPENSANCTIONS_API_KEY; match at score ≥ 0.7) and its jurisdiction against FATF's call-for-action list. concentration: a portfolio's largest position, top three, Herfindahl index and sector weights against limits. regulatory_limits: UCITS 5/10/40 and the US 1940 Act 75-5 diversification test.",
    category: 'risk',
    tags: ['compliance', 'sanctions', 'kyc', 'aml'],
    inputSchema: {
      check_type: z
        .array(z.enum([...CHECKS, 'all']))
        .min(1)
        .default(['all']),
      entity_name: z.string().trim().min(2).max(200).optional().describe('Person or company to screen'),
      entity_type: z.enum(['person', 'company', 'any']).default('any'),
      jurisdiction: z
        .string()
        .regex(/^[A-Za-z]{2}$/, 'an ISO 3166-1 alpha-2 country code such as US')
        .optional(),
      portfolio: z
        .array(z.object({ symbol: z.string().min(1).max(16), weight: z.number() }))
        .min(1)
        .max(500)
        .optional(),
      limits: z
        .object({
          max_position: z.number().gt(0).max(1).default(0.1),
          max_sector: z.number().gt(0).max(1).default(0.3),
        })
        .default({ max_position: 0.1, max_sector: 0.3 }),
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
    handler: async ({ check_type, entity_name, entity_type, jurisdiction, portfolio, limits }) => {
      const all = check_type.includes('all');
      const asked = new Set<string>(all ? CHECKS : check_type);
      // Under "all", a check without its input is skipped; asked for by name, it is the caller's mistake.
      if (!all && asked.has('entity_screening') && !entity_name)
        throw new ToolInputError('entity_screening needs entity_name');
      if (!all && (asked.has('concentration') || asked.has('regulatory_limits')) && !portfolio)
        throw new ToolInputError('concentration and regulatory_limits need portfolio');
      if (all && !entity_name && !portfolio) throw new ToolInputError('give entity_name, portfolio, or both');
      const result: Record<string, unknown> = {};
      const findings: string[] = [];

      if (asked.has('entity_screening') && entity_name) {
        if (!live.opensanctions && !all) throw keyMissing('entity_screening', 'OPENSANCTIONS_API_KEY');
        const country = jurisdiction?.toUpperCase();
        const fatf = country ? FATF_CALL_FOR_ACTION[country] : undefined;
        if (fatf) findings.push(`jurisdiction ${country} (${fatf}) is on FATF's call-for-action list`);
        if (live.opensanctions) {
          const matches = (await live.opensanctions.match({ name: entity_name, type: entity_type, country }))
            .filter((m) => m.score >= MATCH_THRESHOLD)
            .sort((a, b) => b.score - a.score);
          const top = matches[0]?.score ?? 0;
          const status = top >= HIT_THRESHOLD ? 'match' : top >= MATCH_THRESHOLD ? 'possible_match' : 'clear';
          if (status !== 'clear')
            findings.push(
              `${entity_name}: ${status.replace('_', ' ')} (${matches[0]!.name}, score ${round(top, 3)})`,
            );
          result.entity_screening = {
            entity: entity_name,
            status,
            matches: matches.slice(0, 10).map((m) => ({ ...m, score: round(m.score, 3) })),
            jurisdiction: country ? { code: country, fatf_call_for_action: Boolean(fatf) } : undefined,
            source: { kind: 'real', provider: 'OpenSanctions match API, default collection (live)' },
          };
        } else {
          result.entity_screening = {
            entity: entity_name,
            status: 'not_run',
            reason: 'sanctions screening needs OPENSANCTIONS_API_KEY',
            jurisdiction: country ? { code: country, fatf_call_for_action: Boolean(fatf) } : undefined,
          };
        }
      }

      if (portfolio && (asked.has('concentration') || asked.has('regulatory_limits'))) {
        checkWeights(
          portfolio.map((p) => p.weight),
          portfolio.length,
        );
        const weights: Record<string, number> = {};
        for (const p of portfolio) {
          const symbol = p.symbol.toUpperCase();
          weights[symbol] = (weights[symbol] ?? 0) + p.weight;
        }
        if (asked.has('concentration')) {
          const known = new Map(provider.symbols().map((s) => [s.symbol, s.sector]));
          const sectors = sectorWeights(weights, (s) => known.get(s));
          const c = concentration(weights);
          const overPosition = Object.entries(weights).filter(([, w]) => w > limits.max_position);
          const overSector = Object.entries(sectors).filter(
            ([s, w]) => s !== 'Unknown' && w > limits.max_sector,
          );
          for (const [s, w] of overPosition)
            findings.push(
              `${s} is ${(w * 100).toFixed(2)} % of the portfolio (limit ${limits.max_position * 100} %)`,
            );
          for (const [s, w] of overSector)
            findings.push(`sector ${s} is ${(w * 100).toFixed(2)} % (limit ${limits.max_sector * 100} %)`);
          result.concentration = {
            hhi: round(c.hhi, 6),
            effective_number_of_holdings: round(c.effective_number_of_holdings, 3),
            largest_weight: round(c.largest_weight, 6),
            top3_weight: round(c.top3_weight, 6),
            sector_weights: Object.fromEntries(Object.entries(sectors).map(([s, w]) => [s, round(w, 6)])),
            limits,
            breaches: [
              ...overPosition.map(([s, w]) => ({ kind: 'position', name: s, weight: round(w, 6) })),
              ...overSector.map(([s, w]) => ({ kind: 'sector', name: s, weight: round(w, 6) })),
            ],
          };
        }
        if (asked.has('regulatory_limits')) {
          const rules = [...ucits51040(weights), diversifiedFund75510(weights)];
          for (const r of rules.filter((r) => !r.passed)) findings.push(`${r.rule} failed: ${r.detail}`);
          result.regulatory_limits = rules;
        }
      }

      const screening = result.entity_screening as { status?: string } | undefined;
      const status =
        screening?.status === 'match'
          ? 'REJECT'
          : findings.length > 0
            ? 'REVIEW'
            : screening?.status === 'not_run' && !portfolio
              ? 'INCOMPLETE'
              : 'PASS';
      return jsonResult({
        status,
        findings,
        ...result,
        source: {
          provider:
            "rules: UCITS Directive 2009/65/EC art. 52, US Investment Company Act of 1940 §5(b)(1), FATF call-for-action list; sectors from the spoke's symbol list",
        },
      });
    },
  });
