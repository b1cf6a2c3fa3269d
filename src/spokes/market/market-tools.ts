import type { SpokeTool } from '../../spoke/spoke-tool.js';

/** Every tool of the market spoke. */
export function marketTools(): SpokeTool[] {
  return [];
}
