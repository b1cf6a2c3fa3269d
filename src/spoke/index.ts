/**
 * The spoke kit, as the package exports it: `import { startSpoke, defineTool } from 'fin-hub/spoke'`.
 * The one re-exporting file of the codebase, because a package entry point is a contract with
 * users: everything a third-party spoke needs, with types, and nothing of the hub's internals.
 */
export { type Spoke, type SpokeOptions, startSpoke } from './create-spoke.js';
export { defineTool, jsonResult, type SpokeTool, toolError } from './spoke-tool.js';
