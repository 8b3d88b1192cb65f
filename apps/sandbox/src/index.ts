/**
 * The sandbox: every fake service on loopback with an approver console. `pnpm sandbox` runs it; tests and
 * the demo start it in-process with {@link startSandbox}.
 *
 * @module
 */
export { type ApproverConsole, type ConsoleState, startConsole } from './console/server.ts';
export type { Panel, PanelList, PanelRow, PanelSnapshot, RowAction } from './panel.ts';
export {
  DEFAULT_BASE_PORT,
  SANDBOX_PAT,
  type Sandbox,
  type SandboxOptions,
  type SandboxService,
  startSandbox,
} from './sandbox.ts';
