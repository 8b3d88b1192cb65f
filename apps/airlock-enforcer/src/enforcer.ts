/**
 * What the Test Enforcer does (spec §11), apart from the screen: sessions, consent, pairing, submit and
 * wait, withdraw, unpair, sign out, heartbeats. The terminal UI (ui.ts) calls these and shows the results.
 *
 * @module
 */
import { hostname } from 'node:os';
import {
  AirlockAuthenticationError,
  AirlockConsentError,
  AirlockGatewayClient,
  AirlockInputError,
  AirlockNotFoundError,
  type DecisionDeliverEnvelope,
  type HeartbeatHandle,
  type PendingPairing,
  type SubmittedArtifact,
  startPairing,
  TimeoutError,
  type VerifiedDecision,
  verifyDecision,
} from '@x/airlock';
import { AirlockAuthClient, AirlockAuthError, type DeviceCodeInfo } from '@x/airlock/auth';
import type { ConfigStore, EnforcerConfig } from './config.ts';

/** The label approvers see for this enforcer. */
export const ENFORCER_LABEL = 'Test Enforcer (TypeScript)';

/** Where the enforcer stands; the menu follows it. */
export type EnforcerState = 'signed-out' | 'signed-in' | 'paired';

/** Tunables (defaults as the reference enforcers). */
export interface EnforcerOptions {
  /** How long to wait for a decision before withdrawing, ms (default 120 000). */
  decisionTimeoutMs?: number;
  /** Between pairing status polls, ms (default 5 000). */
  pairingPollMs?: number;
  /** Between heartbeats, ms (default 10 000). */
  heartbeatMs?: number;
}

/** The result of a consent check. */
export interface ConsentResult {
  /** Whether the user has consented to this enforcer app. */
  granted: boolean;
  /** What to tell the user. */
  message: string;
}

/** How a wait for a decision ended. */
export type WaitOutcome =
  | { kind: 'decided'; decision: VerifiedDecision; verifiedSignature: boolean }
  | { kind: 'timeout'; withdrawn: boolean; error?: string }
  | { kind: 'gone' };

/** The Test Enforcer's logic over `@x/airlock`. */
export class Enforcer {
  readonly config: ConfigStore;
  readonly decisionTimeoutMs: number;
  readonly #pairingPollMs: number;
  readonly #heartbeatMs: number;
  gateway!: AirlockGatewayClient;
  /** The OIDC client, when the gateway's discovery named an identity provider. */
  auth: AirlockAuthClient | undefined;
  /** Why sign-in is unavailable, when it is. */
  signInUnavailable: string | undefined;
  /** How the user is signed in. */
  authMethod: 'pat' | 'oauth' | undefined;
  /** The last submitted request (the Withdraw menu entry acts on it). */
  lastRequestId: string | undefined;
  /** A submitted request still waiting for its decision. */
  pendingRequestId: string | undefined;
  /** Heartbeats sent and failed so far (shown in the status). */
  heartbeatFailures = 0;
  #heartbeat: HeartbeatHandle | undefined;

  constructor(config: ConfigStore, options: EnforcerOptions = {}) {
    this.config = config;
    this.decisionTimeoutMs = options.decisionTimeoutMs ?? 120_000;
    this.#pairingPollMs = options.pairingPollMs ?? 5_000;
    this.#heartbeatMs = options.heartbeatMs ?? 10_000;
    this.#createGateway();
  }

  /** The settings in force. */
  get settings(): EnforcerConfig {
    return this.config.current;
  }

  /** Whether a routing token and key are stored. */
  get paired(): boolean {
    const { routingToken, encryptionKey } = this.settings;
    return routingToken !== '' && encryptionKey !== '';
  }

  /** Where the enforcer stands. */
  get state(): EnforcerState {
    if (!this.authMethod) return 'signed-out';
    return this.paired ? 'paired' : 'signed-in';
  }

  /** Whether heartbeats are being sent. */
  get heartbeating(): boolean {
    return this.#heartbeat !== undefined;
  }

  #createGateway(): void {
    const { gatewayUrl, clientId, clientSecret, signerPublicKey } = this.settings;
    this.gateway = new AirlockGatewayClient({
      baseUrl: gatewayUrl,
      ...(clientId ? { clientId } : {}),
      ...(clientId && clientSecret ? { clientSecret } : {}),
      ...(signerPublicKey ? { signerPublicKey } : {}),
    });
  }

  /**
   * Connects to the configured gateway: new clients, then discovery (5 s) to learn the identity provider.
   * Without one, sign-in is unavailable and PATs still work.
   */
  async connect(): Promise<void> {
    this.stopHeartbeat();
    this.authMethod = undefined;
    this.auth = undefined;
    this.#createGateway();
    try {
      const discovery = await this.gateway.getDiscovery({ timeout: 5_000 });
      const realm = discovery.idp?.baseUrl;
      if (!realm) {
        this.signInUnavailable = 'the gateway names no identity provider';
        return;
      }
      this.auth = new AirlockAuthClient({
        baseUrl: realm,
        ...(discovery.idp?.clientId ? { oidcClientId: discovery.idp.clientId } : {}),
        store: this.config.tokenStore(),
      });
      this.signInUnavailable = undefined;
    } catch (error) {
      this.signInUnavailable = `gateway discovery failed: ${describe(error)}`;
    }
  }

  /**
   * Restores the saved session: the PAT first (dropped when the gateway refuses it), else the refresh
   * token; starts the heartbeat when paired.
   */
  async restoreSession(): Promise<string> {
    const { pat, refreshToken } = this.settings;
    if (pat) {
      try {
        this.gateway.setPat(pat);
        const consent = await this.checkConsent();
        this.authMethod = 'pat';
        this.#afterAuth();
        return `Signed in with the saved Personal Access Token. ${consent.message}`;
      } catch (error) {
        this.gateway.setPat(undefined);
        if (!AirlockAuthenticationError.isInstance(error) && !AirlockInputError.isInstance(error))
          return `Could not check the saved PAT: ${describe(error)}`;
        await this.config.update({ pat: '' });
        // Fall through to the refresh token below.
      }
    }
    if (refreshToken && this.auth) {
      try {
        await this.auth.refreshToken();
        this.gateway.setTokenProvider(this.auth);
        const consent = await this.checkConsent();
        this.authMethod = 'oauth';
        this.#afterAuth();
        return `Signed in with the saved session. ${consent.message}`;
      } catch (error) {
        this.gateway.setTokenProvider(undefined);
        return `The saved session could not be restored (${describe(error)}); sign in again.`;
      }
    }
    return pat ? 'The saved PAT was refused by the gateway and has been removed.' : 'Not signed in.';
  }

  /** Sets a Personal Access Token (must start with `airpat_`), saves it and checks consent. */
  async setPat(pat: string): Promise<ConsentResult> {
    if (!pat.startsWith('airpat_')) throw new Error('A Personal Access Token starts with "airpat_".');
    this.gateway.setPat(pat);
    try {
      const consent = await this.checkConsent();
      await this.config.update({ pat });
      this.authMethod = 'pat';
      this.#afterAuth();
      return consent;
    } catch (error) {
      this.gateway.setPat(undefined);
      if (AirlockAuthenticationError.isInstance(error))
        throw new Error('The gateway refused this PAT (401); check it in the Airlock app.');
      throw error;
    }
  }

  /** Signs in with the device code flow (spec §10.2); `onUserCode` shows the URL and code. */
  async signIn(onUserCode: (info: DeviceCodeInfo) => void, signal: AbortSignal): Promise<ConsentResult> {
    if (!this.auth)
      throw new Error(`Sign-in is unavailable: ${this.signInUnavailable ?? 'no identity provider'}.`);
    try {
      await this.auth.login(onUserCode, { signal });
    } catch (error) {
      if (AirlockAuthError.isInstance(error) && error.code === 'access_denied')
        throw new Error('Sign-in was refused in the browser.', { cause: error });
      if (AirlockAuthError.isInstance(error) && error.code === 'expired_token')
        throw new Error('The sign-in code expired before it was approved; sign in again.', { cause: error });
      throw error;
    }
    this.gateway.setTokenProvider(this.auth);
    const consent = await this.checkConsent();
    this.authMethod = 'oauth';
    this.#afterAuth();
    return consent;
  }

  /**
   * Checks the user's consent to this enforcer app. A consent 403 (required, pending) is reported, not
   * thrown: the gateway has sent the request to the user's phone.
   */
  async checkConsent(): Promise<ConsentResult> {
    try {
      const status = await this.gateway.checkConsent();
      return { granted: true, message: `Consent: ${status}.` };
    } catch (error) {
      if (AirlockConsentError.isInstance(error)) {
        const code = error.consent.errorCode;
        if (code === 'app_consent_required' || code === 'app_consent_pending')
          return {
            granted: false,
            message: 'Consent request sent to your mobile device: approve it in the Airlock app.',
          };
        return { granted: false, message: 'You denied consent for this enforcer app in the Airlock app.' };
      }
      throw error;
    }
  }

  #afterAuth(): void {
    if (this.paired) this.startHeartbeat();
  }

  /** The device id to pair with: the saved one, else `dev-<hostname>`. */
  defaultDeviceId(): string {
    return this.settings.deviceId || `dev-${hostname().toLowerCase()}`;
  }

  /**
   * Pairs: initiates (or claims `pairingCode`), tells `onStarted` (to show the code), polls the status and
   * stores the routing token and derived key; then starts the heartbeat.
   */
  async pair(
    options: { deviceId: string; pairingCode?: string },
    onStarted: (pending: PendingPairing) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const { enforcerId, workspaceName, gatewayUrl } = this.settings;
    const pending = await startPairing(this.gateway, {
      enforcerId,
      deviceId: options.deviceId,
      enforcerLabel: ENFORCER_LABEL,
      workspaceName,
      gatewayUrl,
      ...(options.pairingCode ? { pairingCode: options.pairingCode } : {}),
      signal,
    });
    onStarted(pending);
    const done = await pending.waitForCompletion({ intervalMs: this.#pairingPollMs, maxPolls: 60, signal });
    await this.config.update({
      deviceId: options.deviceId,
      routingToken: done.routingToken,
      encryptionKey: done.encryptionKey,
    });
    this.startHeartbeat();
  }

  /** Encrypts and submits a command for approval (spec §5.3 plaintext and metadata). */
  async submit(command: string, requestLabel: string, signal: AbortSignal): Promise<SubmittedArtifact> {
    const { enforcerId, workspaceName, routingToken, encryptionKey } = this.settings;
    const plaintextPayload = JSON.stringify({
      requestLabel,
      command,
      workspaceName,
      enforcerId,
      timestamp: new Date().toISOString(),
    });
    const submitted = await this.gateway.encryptAndSubmitArtifact(
      {
        enforcerId,
        plaintextPayload,
        encryptionKey,
        metadata: { routingToken, workspaceName, requestLabel },
      },
      { signal },
    );
    this.lastRequestId = submitted.requestId;
    this.pendingRequestId = submitted.requestId;
    return submitted;
  }

  /**
   * Long-polls (25 s at a time) for the decision until the deadline, then withdraws. A decision is
   * verified (artifact hash; signature when a signer key is configured) and acknowledged.
   */
  async waitForDecision(submitted: SubmittedArtifact, signal: AbortSignal): Promise<WaitOutcome> {
    const { requestId, artifactHash } = submitted;
    let envelope: DecisionDeliverEnvelope;
    try {
      envelope = await this.gateway.waitUntilDecided(requestId, {
        timeoutSeconds: 25,
        totalTimeout: this.decisionTimeoutMs,
        acknowledge: true,
        signal,
      });
    } catch (error) {
      if (AirlockNotFoundError.isInstance(error)) {
        this.pendingRequestId = undefined;
        return { kind: 'gone' };
      }
      if (TimeoutError.isInstance(error)) {
        try {
          await this.gateway.withdrawExchange(requestId);
          this.pendingRequestId = undefined;
          return { kind: 'timeout', withdrawn: true };
        } catch (withdrawError) {
          return { kind: 'timeout', withdrawn: false, error: describe(withdrawError) };
        }
      }
      throw error;
    }
    this.pendingRequestId = undefined;
    const signer = this.settings.signerPublicKey || undefined;
    const decision = await verifyDecision(envelope, artifactHash, signer, { requestId });
    return { kind: 'decided', decision, verifiedSignature: signer !== undefined && decision.signed };
  }

  /** Withdraws a request (default: the last one). Resolves with what to tell the user; never throws. */
  async withdraw(requestId = this.lastRequestId): Promise<string> {
    if (!requestId) return 'Nothing to withdraw: no request was submitted in this session.';
    try {
      await this.gateway.withdrawExchange(requestId, { timeout: 10_000 });
      if (this.pendingRequestId === requestId) this.pendingRequestId = undefined;
      return `Withdrew ${requestId}.`;
    } catch (error) {
      return `Could not withdraw ${requestId}: ${describe(error)}`;
    }
  }

  /** Revokes the pairing (errors ignored) and forgets it here. */
  async unpair(): Promise<void> {
    this.stopHeartbeat();
    const { routingToken } = this.settings;
    if (routingToken) await this.gateway.revokePairing(routingToken, { timeout: 10_000 }).catch(() => {});
    await this.config.update({ routingToken: '', encryptionKey: '', deviceId: '' });
  }

  /** Signs out: revokes the refresh token, forgets tokens and PAT, stops the heartbeat. */
  async signOut(): Promise<void> {
    this.stopHeartbeat();
    if (this.auth) await this.auth.logout().catch(() => {});
    this.gateway.setPat(undefined);
    this.gateway.setTokenProvider(undefined);
    this.authMethod = undefined;
    await this.config.update({ pat: '', accessToken: '', refreshToken: '', tokenExpiresAt: 0 });
  }

  /** Starts the presence heartbeat (now, then every 10 s); failures are counted, never fatal. */
  startHeartbeat(): void {
    if (this.#heartbeat) return;
    const { enforcerId, workspaceName } = this.settings;
    this.#heartbeat = this.gateway.startHeartbeat(
      { enforcerId, workspaceName, enforcerLabel: ENFORCER_LABEL },
      {
        intervalMs: this.#heartbeatMs,
        onError: () => {
          this.heartbeatFailures++;
        },
      },
    );
  }

  /** Stops the heartbeat, if running. */
  stopHeartbeat(): void {
    this.#heartbeat?.stop();
    this.#heartbeat = undefined;
  }
}

/** A one-line, secret-free account of an error for the screen. */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code)
      ? `${error.message} (${code})`
      : error.message;
  }
  return String(error);
}
