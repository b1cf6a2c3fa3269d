import type { SpokeTool } from '../../spoke/spoke-tool.js';

/** Every tool of the portfolio spoke. */
export function portfolioTools(): SpokeTool[] {
  return [];
}
