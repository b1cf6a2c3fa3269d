import type { SpokeTool } from '../../spoke/spoke-tool.js';

/** Every tool of the risk spoke. */
export function riskTools(): SpokeTool[] {
  return [];
}
