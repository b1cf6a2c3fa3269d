import type { SpokeTool } from '../spoke/spoke-tool.js';
import { marketTools } from './market/market-tools.js';
import { portfolioTools } from './portfolio/portfolio-tools.js';
import { riskTools } from './risk/risk-tools.js';

/** The three reference spokes: their default ports and tool lists. */
export const REFERENCE_SPOKES = {
  market: { defaultPort: 8001, tools: (): SpokeTool[] => marketTools() },
  risk: { defaultPort: 8002, tools: (): SpokeTool[] => riskTools() },
  portfolio: { defaultPort: 8003, tools: (): SpokeTool[] => portfolioTools() },
} as const;

export type ReferenceSpokeName = keyof typeof REFERENCE_SPOKES;
