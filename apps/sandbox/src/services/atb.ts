import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeAtb, startFakeAtb } from '@x/atb/testing';
import type { WallClock } from '@x/http-core/testing';

/** The two approvers the console approves as (dual control needs two different people). */
export const ATB_APPROVERS = ['alice@sandbox.example.com', 'bob@sandbox.example.com'] as const;

/** The sandbox's ATB: the fakes and the agent's PKI as files a client can point at. */
export interface SandboxAtb {
  /** The fakes (AgentAuth, broker, upstream echo, PKI). */
  fake: FakeAtb;
  /** PEM files of the test PKI (removed by `close`). */
  files: { dir: string; caFile: string; certFile: string; keyFile: string };
  /** Who may approve from the console. */
  approvers: readonly string[];
  /** Stops the fakes and removes the PKI files. */
  close(): Promise<void>;
}

/** Starts AgentAuth on `agentAuthPort`, the broker (mTLS) on `brokerPort`, and writes the agent's PKI to a temp dir. */
export async function startSandboxAtb(
  ports: { agentAuthPort: number; brokerPort: number },
  clock: WallClock,
): Promise<SandboxAtb> {
  const fake = await startFakeAtb({ ...ports, clock });
  let dir: string | undefined;
  try {
    dir = await mkdtemp(join(tmpdir(), 'sandbox-atb-pki-'));
    const files = {
      dir,
      caFile: join(dir, 'ca.pem'),
      certFile: join(dir, 'agent.pem'),
      keyFile: join(dir, 'agent-key.pem'),
    };
    await writeFile(files.caFile, fake.caCert);
    await writeFile(files.certFile, fake.agent.cert);
    await writeFile(files.keyFile, fake.agent.key, { mode: 0o600 });
    const pkiDir = dir;
    return {
      fake,
      files,
      approvers: ATB_APPROVERS,
      async close() {
        await fake.close();
        await rm(pkiDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await fake.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
