import {
  type FakeGateway,
  type FakeOidcProvider,
  startFakeGateway,
  startFakeOidcProvider,
} from '@x/airlock/testing';
import { WallClock } from '@x/http-core/testing';
import { type ApproverConsole, startConsole } from './console/server.ts';
import type { Panel } from './panel.ts';
import { airlockPanel } from './panels/airlock.ts';
import { artifactsPanel } from './panels/artifacts.ts';
import { atbPanel } from './panels/atb.ts';
import { aukiPanel } from './panels/auki.ts';
import { inkPassPanel } from './panels/inkpass.ts';
import { type SandboxArtifacts, startSandboxArtifacts } from './services/artifacts.ts';
import { type SandboxAtb, startSandboxAtb } from './services/atb.ts';
import { AUKI_DEMO, type SandboxAuki, startSandboxAuki } from './services/auki.ts';
import { type SandboxInkPass, startSandboxInkPass } from './services/inkpass.ts';

/** The sandbox's default ports: the console on 4700, the services on the ports after it. */
export const DEFAULT_BASE_PORT = 4700;

/** The PAT the sandbox's Airlock gateway accepts (besides tokens of its identity provider). */
export const SANDBOX_PAT = 'airpat_sandbox';

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /**
   * The console's port; the services take the next ones in a fixed order (see {@link SandboxService}).
   * 0 lets the OS pick every port (tests). Default {@link DEFAULT_BASE_PORT}.
   */
  basePort?: number;
  /** How often the console checks for changes, in ms (default 250). */
  refreshMs?: number;
}

/** One running service, as the sandbox prints it. */
export interface SandboxService {
  /** Its name, e.g. `Airlock gateway`. */
  name: string;
  /** Its base URL. */
  url: string;
  /** What a client needs besides the URL (a PAT, a key, file paths), items separated by `; `. */
  notes?: string;
}

/** A running sandbox. */
export interface Sandbox {
  /** The approver console. */
  console: ApproverConsole;
  /** The wall clock every fake follows; moving it forward moves them all (e.g. to expire a token). */
  clock: WallClock;
  /** Every service, in port order. */
  services: SandboxService[];
  /** The fake Airlock gateway and its identity provider. */
  airlock: { gateway: FakeGateway; idp: FakeOidcProvider; pat: string };
  /** inkPass (the fake behind a recording front), with a seeded demo organisation and user. */
  inkpass: SandboxInkPass;
  /** Auki: the auth API and discovery, with a demo account. */
  auki: SandboxAuki;
  /** ATB: AgentAuth, the mTLS broker and the agent's PKI written to files. */
  atb: SandboxAtb;
  /** The artifact gateway with a throw-away workspace. */
  artifacts: SandboxArtifacts;
  /** Stops everything. */
  close(): Promise<void>;
}

/**
 * Starts every fake service on loopback and the approver console.
 *
 * @example
 * ```ts
 * const sandbox = await startSandbox({ basePort: 0 });
 * console.log(sandbox.console.url);
 * await sandbox.close();
 * ```
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const base = options.basePort ?? DEFAULT_BASE_PORT;
  const port = (offset: number) => (base === 0 ? 0 : base + offset);
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
  };
  try {
    // Every fake follows the wall clock: people poll device codes and SDKs judge expiry with `Date.now()`.
    const clock = new WallClock();
    const idp = await startFakeOidcProvider({ port: port(2), clock });
    closers.push(() => idp.close());
    const gateway = await startFakeGateway({
      port: port(1),
      pats: [SANDBOX_PAT],
      idpBaseUrl: idp.realmUrl,
      now: () => clock.now(),
      verifyBearer: async (token) => (await idp.verifyAccessToken(token)) !== undefined,
    });
    closers.push(() => gateway.close());
    const inkpass = await startSandboxInkPass(port(3), clock);
    closers.push(() => inkpass.close());
    const auki = await startSandboxAuki(port(4), port(5), clock);
    closers.push(() => auki.close());
    const atb = await startSandboxAtb({ agentAuthPort: port(6), brokerPort: port(7) }, clock);
    closers.push(() => atb.close());
    const artifacts = await startSandboxArtifacts(port(8), clock);
    closers.push(() => artifacts.close());

    const panels: Panel[] = [
      airlockPanel(gateway, idp),
      atbPanel(atb),
      inkPassPanel(inkpass),
      aukiPanel(auki),
      artifactsPanel(artifacts),
    ];
    const approverConsole = await startConsole(panels, {
      port: port(0),
      ...(options.refreshMs === undefined ? {} : { refreshMs: options.refreshMs }),
    });
    closers.push(() => approverConsole.close());

    return {
      console: approverConsole,
      clock,
      services: [
        { name: 'Approver console', url: approverConsole.url },
        { name: 'Airlock gateway', url: gateway.url, notes: `PAT ${SANDBOX_PAT}` },
        { name: 'Airlock identity provider', url: idp.realmUrl, notes: 'OIDC discovery, device login' },
        {
          name: 'inkPass',
          url: inkpass.url,
          notes: `login ${inkpass.demo.email} / ${inkpass.demo.password}; Den key ${inkpass.fake.serviceApiKey}`,
        },
        {
          name: 'Auki auth API',
          url: auki.config().apiUrl,
          notes: `login ${auki.demo.email} / ${auki.demo.password}; refresh ${auki.config().refreshUrl}`,
        },
        {
          name: 'Auki discovery',
          url: auki.config().ddsUrl,
          notes: `domains ${AUKI_DEMO.domains.join(', ')}; ${AUKI_DEMO.paidDomain} answers 402`,
        },
        {
          name: 'ATB AgentAuth',
          url: atb.fake.agentauthUrl,
          notes: `agent ${atb.fake.agentSpiffeId}; approvers ${atb.approvers.join(', ')} (approve in the console)`,
        },
        {
          name: 'ATB broker (mTLS)',
          url: atb.fake.brokerUrl,
          notes: `caFile ${atb.files.caFile}; certFile ${atb.files.certFile}; keyFile ${atb.files.keyFile}`,
        },
        {
          name: 'Artifact gateway',
          url: artifacts.proxyBase,
          notes: `secret ${artifacts.secretKey}; workspace ${artifacts.workspace}`,
        },
      ],
      airlock: { gateway, idp, pat: SANDBOX_PAT },
      inkpass,
      auki,
      atb,
      artifacts,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
