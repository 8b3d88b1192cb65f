/**
 * The Test Enforcer's screens (spec §11): setup wizard, state-dependent menus and every action, built on
 * @clack/prompts. Ctrl-C anywhere leaves cleanly: a pending request is withdrawn if the user says so and the
 * heartbeat stops.
 *
 * @module
 */

import { styleText } from 'node:util';
import { confirm, intro, isCancel, log, note, outro, password, select, text } from '@clack/prompts';
import type { SubmittedArtifact } from '@x/airlock';
import { renderUnicodeCompact } from 'uqr';
import { busy, Interrupted } from './busy.ts';
import { type EnforcerConfig, mask } from './config.ts';
import { describe, type Enforcer, type EnforcerState } from './enforcer.ts';

type Action =
  | 'pat'
  | 'signin'
  | 'pair'
  | 'submit'
  | 'withdraw'
  | 'unpair'
  | 'signout'
  | 'reconfigure'
  | 'exit';

const LABELS: Record<Action, string> = {
  pat: 'Set Personal Access Token',
  signin: 'Sign in (device code)',
  pair: 'Pair device',
  submit: 'Submit artifact',
  withdraw: 'Withdraw last request',
  unpair: 'Unpair',
  signout: 'Sign out',
  reconfigure: 'Reconfigure',
  exit: 'Exit',
};

const MENUS: Record<EnforcerState, Action[]> = {
  'signed-out': ['pat', 'signin', 'reconfigure', 'exit'],
  'signed-in': ['pair', 'signout', 'reconfigure', 'exit'],
  paired: ['submit', 'withdraw', 'unpair', 'signout', 'reconfigure', 'exit'],
};

/** A success line; its own mark, so it never looks like an open prompt (clack's `◆`). */
function success(message: string): void {
  log.message(message, { symbol: styleText('green', '✔') });
}

/** Unwraps a prompt's answer; Ctrl-C (clack's cancel symbol) becomes {@link Interrupted}. */
async function ask<T>(answer: Promise<T>): Promise<Exclude<T, symbol>> {
  const value = await answer;
  if (isCancel(value)) throw new Interrupted();
  return value as Exclude<T, symbol>;
}

function validUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'Use an http(s) URL.';
  } catch {
    return 'Not a URL (e.g. https://igw.airlocks.io).';
  }
}

function formatLeft(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The interactive program over an {@link Enforcer}. */
export class EnforcerUi {
  readonly #enforcer: Enforcer;

  constructor(enforcer: Enforcer) {
    this.#enforcer = enforcer;
  }

  /** Runs until the user exits; resolves with the process exit code (0, or 130 after Ctrl-C). */
  async run(): Promise<number> {
    const enforcer = this.#enforcer;
    intro('Airlock Test Enforcer (TypeScript)');
    log.info(`Settings: ${enforcer.config.path}`);
    try {
      if (!enforcer.settings.clientId) {
        log.step('First run: set up the enforcer.');
        await this.#wizard();
      }
      await this.#connect();
      for (;;) {
        const action = await this.#menu();
        if (action === 'exit') break;
        try {
          await this.#perform(action);
        } catch (error) {
          if (error instanceof Interrupted) throw error;
          log.error(describe(error));
        }
      }
    } catch (error) {
      if (!(error instanceof Interrupted)) throw error;
      await this.#leave(true);
      return 130;
    }
    await this.#leave(false);
    return 0;
  }

  async #connect(): Promise<void> {
    const enforcer = this.#enforcer;
    await busy(`Connecting to ${enforcer.settings.gatewayUrl}`, () => enforcer.connect());
    if (enforcer.signInUnavailable)
      log.warn(`Sign-in unavailable (${enforcer.signInUnavailable}); a PAT still works.`);
    const restored = await busy('Restoring the session', () => enforcer.restoreSession());
    log.info(restored);
  }

  async #wizard(): Promise<void> {
    const current = this.#enforcer.settings;
    const gatewayUrl = await ask(
      text({
        message: 'Gateway URL',
        placeholder: current.gatewayUrl,
        defaultValue: current.gatewayUrl,
        validate: validUrl,
      }),
    );
    const clientId = await ask(
      text({
        message: 'Client ID (X-Client-Id of your enforcer app)',
        ...(current.clientId ? { placeholder: current.clientId, defaultValue: current.clientId } : {}),
        validate: (value) => (value || current.clientId ? undefined : 'The client id is required.'),
      }),
    );
    const secret = await ask(
      password({
        message: current.clientSecret
          ? `Client secret (Enter keeps ${mask(current.clientSecret)})`
          : 'Client secret (Enter for none: public app kinds)',
      }),
    );
    const enforcerId = await ask(
      text({ message: 'Enforcer ID', placeholder: current.enforcerId, defaultValue: current.enforcerId }),
    );
    const workspaceName = await ask(
      text({
        message: 'Workspace name',
        placeholder: current.workspaceName,
        defaultValue: current.workspaceName,
      }),
    );
    const patch: Partial<EnforcerConfig> = {
      gatewayUrl: gatewayUrl.trim().replace(/\/+$/, ''),
      clientId: clientId.trim(),
      clientSecret: secret ? secret : current.clientSecret,
      enforcerId: enforcerId.trim(),
      workspaceName: workspaceName.trim(),
    };
    await this.#enforcer.config.update(patch);
    success(`Saved to ${this.#enforcer.config.path}`);
  }

  #status(): string {
    const enforcer = this.#enforcer;
    const s = enforcer.settings;
    const auth =
      enforcer.authMethod === 'pat'
        ? `PAT ${mask(s.pat)}`
        : enforcer.authMethod === 'oauth'
          ? `signed in (OAuth, refresh token ${mask(s.refreshToken)})`
          : 'not signed in';
    const pairing = enforcer.paired
      ? `paired as ${s.deviceId} (routing token ${mask(s.routingToken)}), heartbeat ${enforcer.heartbeating ? 'on' : 'off'}${enforcer.heartbeatFailures ? ` (${enforcer.heartbeatFailures} failed)` : ''}`
      : 'not paired';
    return [
      `Gateway    ${s.gatewayUrl}`,
      `App        ${s.clientId || '(none)'} · secret ${mask(s.clientSecret)}`,
      `Enforcer   ${s.enforcerId} · workspace ${s.workspaceName}`,
      `Auth       ${auth}`,
      `Pairing    ${pairing}`,
    ].join('\n');
  }

  async #menu(): Promise<Action> {
    const enforcer = this.#enforcer;
    note(this.#status(), 'Status');
    const actions = MENUS[enforcer.state].filter((a) => a !== 'signin' || enforcer.auth !== undefined);
    return ask(
      select<Action>({
        message: 'What next?',
        options: actions.map((value) => ({ value, label: LABELS[value] })),
      }),
    );
  }

  async #perform(action: Exclude<Action, 'exit'>): Promise<void> {
    switch (action) {
      case 'pat':
        return this.#setPat();
      case 'signin':
        return this.#signIn();
      case 'pair':
        return this.#pair();
      case 'submit':
        return this.#submit();
      case 'withdraw':
        log.info(await busy('Withdrawing', () => this.#enforcer.withdraw()));
        return;
      case 'unpair':
        return this.#unpair();
      case 'signout':
        await busy('Signing out', () => this.#enforcer.signOut());
        success('Signed out: tokens and PAT removed, heartbeat stopped.');
        return;
      case 'reconfigure':
        await this.#wizard();
        await this.#connect();
        return;
    }
  }

  async #setPat(): Promise<void> {
    const pat = await ask(
      password({
        message: 'Personal Access Token (from the Airlock app: Settings → Access Tokens)',
        validate: (value) => (value?.startsWith('airpat_') ? undefined : 'A PAT starts with "airpat_".'),
      }),
    );
    const consent = await busy('Checking the PAT', () => this.#enforcer.setPat(pat.trim()));
    success(`PAT saved (${mask(pat.trim())}).`);
    (consent.granted ? log.info : log.warn)(consent.message);
  }

  async #signIn(): Promise<void> {
    const consent = await busy('Starting the device sign-in', (ctx) =>
      this.#enforcer.signIn((info) => {
        const url = info.verificationUriComplete ?? info.verificationUri;
        ctx.print(`Open ${info.verificationUri} and enter the code ${info.userCode}`);
        if (info.verificationUriComplete) ctx.print(`or open ${info.verificationUriComplete}`);
        for (const line of renderUnicodeCompact(url, { border: 1 }).split('\n')) ctx.print(line);
        ctx.message(`Waiting for you to approve the sign-in (code ${info.userCode})`);
      }, ctx.signal),
    );
    success('Signed in.');
    (consent.granted ? log.info : log.warn)(consent.message);
  }

  async #pair(): Promise<void> {
    const enforcer = this.#enforcer;
    const mode = await ask(
      select({
        message: 'How do you want to pair?',
        options: [
          { value: 'initiate', label: 'Show a pairing code to enter in the Airlock app' },
          { value: 'claim', label: 'Enter a code generated in the Airlock app' },
        ],
      }),
    );
    const fallbackDevice = enforcer.defaultDeviceId();
    const deviceId = await ask(
      text({ message: 'Device ID', placeholder: fallbackDevice, defaultValue: fallbackDevice }),
    );
    const pairingCode =
      mode === 'claim'
        ? (
            await ask(
              text({
                message: 'Pairing code from the Airlock app',
                validate: (value) => (value?.trim() ? undefined : 'Enter the code shown in the app.'),
              }),
            )
          ).trim()
        : undefined;
    const started = Date.now();
    await busy('Starting the pairing', async (ctx) => {
      const tick = setInterval(() => {
        ctx.message(
          `Waiting for the approver to complete the pairing (${formatLeft(Date.now() - started)} elapsed)`,
        );
      }, 1000);
      try {
        await enforcer.pair(
          { deviceId: deviceId.trim(), ...(pairingCode ? { pairingCode } : {}) },
          (pending) => {
            if (pending.pairingCode)
              ctx.print(`Pairing code: ${pending.pairingCode}  (enter it in the Airlock app)`);
            else ctx.print(`Claimed the code ${pairingCode}; waiting for the gateway to confirm.`);
            ctx.message('Waiting for the approver to complete the pairing');
          },
          ctx.signal,
        );
      } finally {
        clearInterval(tick);
      }
    });
    success(
      `Paired. Routing token ${mask(enforcer.settings.routingToken)}; end-to-end key derived (X25519 + HKDF). Heartbeat on.`,
    );
  }

  async #submit(): Promise<void> {
    const enforcer = this.#enforcer;
    const command = await ask(
      text({
        message: 'Command to approve',
        placeholder: 'git push --force',
        defaultValue: 'git push --force',
      }),
    );
    const label = await ask(
      text({ message: 'Request label', placeholder: 'Test request', defaultValue: 'Test request' }),
    );
    const submitted: SubmittedArtifact = await busy('Encrypting and submitting', (ctx) =>
      enforcer.submit(command, label, ctx.signal),
    );
    log.info(`Submitted ${submitted.requestId} (artifact hash ${submitted.artifactHash.slice(0, 12)}…).`);
    const deadline = Date.now() + enforcer.decisionTimeoutMs;
    const waiting = (left: number) => `Waiting for the decision: ${formatLeft(left)} left (Ctrl-C to stop)`;
    const outcome = await busy(waiting(enforcer.decisionTimeoutMs), async (ctx) => {
      const tick = setInterval(() => ctx.message(waiting(deadline - Date.now())), 1000);
      try {
        return await enforcer.waitForDecision(submitted, ctx.signal);
      } finally {
        clearInterval(tick);
      }
    });
    switch (outcome.kind) {
      case 'decided': {
        const { decision, verifiedSignature } = outcome;
        const lines = [
          `Reason: ${decision.reason ?? '(none)'}`,
          `Signer: ${decision.signerKeyId ?? '(unknown)'} · ${verifiedSignature ? 'signature verified' : 'signature not checked (no signer key configured)'}`,
          'Acknowledged.',
        ].join('\n');
        if (decision.approved) success(`APPROVED: ${submitted.requestId}\n${lines}`);
        else log.error(`REJECTED (${decision.decision}): ${submitted.requestId}\n${lines}`);
        return;
      }
      case 'timeout':
        if (outcome.withdrawn)
          log.warn(
            `No decision within ${Math.round(enforcer.decisionTimeoutMs / 1000)} s: the request was withdrawn.`,
          );
        else log.warn(`No decision in time; withdrawing failed: ${outcome.error}`);
        return;
      case 'gone':
        log.warn('The request expired or was withdrawn at the gateway.');
        return;
    }
  }

  async #unpair(): Promise<void> {
    const sure = await ask(confirm({ message: 'Unpair this device? Artifacts can no longer be submitted.' }));
    if (!sure) return;
    await busy('Unpairing', () => this.#enforcer.unpair());
    success('Unpaired: routing token and key removed, heartbeat stopped.');
  }

  async #leave(interrupted: boolean): Promise<void> {
    const enforcer = this.#enforcer;
    const pending = enforcer.pendingRequestId;
    if (pending) {
      let withdraw = false;
      try {
        withdraw = await ask(confirm({ message: `Withdraw the pending request ${pending} before leaving?` }));
      } catch {
        withdraw = false;
      }
      if (withdraw) log.info(await enforcer.withdraw(pending));
    }
    enforcer.stopHeartbeat();
    outro(interrupted ? 'Interrupted: heartbeat stopped. Bye.' : 'Bye.');
  }
}
