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
export {
  ARTIFACT_BASE_PATH,
  type GatewayRequest,
  type SandboxArtifacts,
} from './services/artifacts.ts';
export { ATB_APPROVERS, type SandboxAtb } from './services/atb.ts';
export {
  AUKI_DEMO,
  type AukiDomainGrant,
  type AukiTokenIssued,
  type SandboxAuki,
} from './services/auki.ts';
export {
  INKPASS_DEMO,
  type IssuedApiKey,
  type PermissionDecision,
  type SandboxInkPass,
} from './services/inkpass.ts';
