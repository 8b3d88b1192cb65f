/**
 * valibot schemas of the gateway's JSON (spec §3.4, §5), with the TypeScript types inferred from them. The
 * wire already spells members in camelCase, so the TypeScript names are the wire names; `null` (which some
 * servers send for absent optionals) reads as `undefined`.
 *
 * @module
 */
import * as v from 'valibot';

// An optional member that may also arrive as null; both read as undefined.
const opt = <S extends v.GenericSchema>(schema: S) =>
  v.pipe(
    v.nullish(schema),
    v.transform((x) => x ?? undefined),
  );
const str = v.string();

/** `GET /echo`. */
export const EchoResponse = v.object({
  utc: str,
  local: str,
  timezone: str,
  offsetMinutes: v.number(),
});
/** `GET /echo`: the gateway's clock and time zone. */
export type EchoResponse = v.InferOutput<typeof EchoResponse>;

/** `GET /v1/exchanges/{requestId}`. */
export const ExchangeStatusResponse = v.object({
  msgType: str,
  requestId: str,
  body: opt(
    v.object({
      requestId: str,
      state: str,
      createdAt: opt(str),
      expiresAt: opt(str),
      artifactHash: opt(str),
      decision: v.optional(v.unknown()),
    }),
  ),
});
/** The state of an exchange (`body.state`, e.g. `PendingApproval`). */
export type ExchangeStatusResponse = v.InferOutput<typeof ExchangeStatusResponse>;

/** The body of a `decision.deliver` envelope. */
export const DecisionBody = v.object({
  artifactHash: str,
  decision: str,
  reason: opt(str),
  signerKeyId: opt(str),
  nonce: opt(str),
  signature: opt(str),
  decisionHash: opt(str),
});
/** What the approver decided (`approve` / `reject`) on which artifact hash, signed. */
export type DecisionBody = v.InferOutput<typeof DecisionBody>;

/** `GET /v1/exchanges/{requestId}/wait` with a decision. */
export const DecisionDeliverEnvelope = v.object({
  msgId: opt(str),
  msgType: str,
  requestId: str,
  createdAt: opt(str),
  expiresAt: opt(str),
  body: opt(DecisionBody),
});
/** A delivered decision; check it with `verifyDecision` before acting on it. */
export type DecisionDeliverEnvelope = v.InferOutput<typeof DecisionDeliverEnvelope>;

/** `POST /v1/pairing/initiate` request (spec §3.4). */
export interface PairingInitiateRequest {
  /** This device's id (e.g. `dev-<hostname>`). */
  deviceId: string;
  /** The enforcer's id. */
  enforcerId: string;
  /** The gateway URL the approver should use. */
  gatewayUrl?: string;
  /** Our X25519 public key (base64url, 32 bytes), needed for end-to-end encryption. */
  x25519PublicKey?: string;
  /** A label the approver sees. */
  enforcerLabel?: string;
  /** The workspace's name. */
  workspaceName?: string;
}

/** `POST /v1/pairing/initiate` response. */
export const PairingInitiateResponse = v.object({
  pairingNonce: str,
  pairingCode: str,
  deviceId: str,
  gatewayUrl: opt(str),
  expiresAt: opt(str),
});
/** A started pairing: show `pairingCode` to the user, poll with `pairingNonce`. */
export type PairingInitiateResponse = v.InferOutput<typeof PairingInitiateResponse>;

/** `GET /v1/pairing/{pairingNonce}/status`. */
export const PairingStatusResponse = v.object({
  pairingNonce: str,
  state: str,
  responseJson: opt(str),
  routingToken: opt(str),
  expiresAt: opt(str),
});
/** A pairing's state (`Completed`, `Revoked`, `Expired`, anything else = pending). */
export type PairingStatusResponse = v.InferOutput<typeof PairingStatusResponse>;

/** `POST /v1/pairing/revoke` response. */
export const PairingRevokeResponse = v.object({ status: str, enforcerId: opt(str) });
/** `{ status: 'revoked', enforcerId? }`. */
export type PairingRevokeResponse = v.InferOutput<typeof PairingRevokeResponse>;

/** `POST /v1/pairing/claim` request: claims a code the approver generated in the mobile app. */
export interface PairingClaimRequest {
  /** The code the user read from the mobile app (e.g. `ABCD-1234`). */
  pairingCode: string;
  /** This device's id. */
  deviceId: string;
  /** The enforcer's id. */
  enforcerId: string;
  /** A label the approver sees. */
  enforcerLabel: string;
  /** The workspace's name. */
  workspaceName: string;
  /** The gateway URL. */
  gatewayUrl?: string;
  /** Our X25519 public key (base64url, 32 bytes). */
  x25519PublicKey?: string;
}

/** `POST /v1/pairing/claim` response. */
export const PairingClaimResponse = v.object({ pairingNonce: str, expiresAt: opt(str) });
/** A claimed code: poll the pairing's status with `pairingNonce`. */
export type PairingClaimResponse = v.InferOutput<typeof PairingClaimResponse>;

/** `POST /v1/presence/heartbeat` request. */
export interface PresenceHeartbeatRequest {
  /** The enforcer's id. */
  enforcerId: string;
  /** The workspace's name. */
  workspaceName?: string;
  /** The enforcer's label. */
  enforcerLabel?: string;
}

/** One effective do-not-disturb policy. */
export const DndPolicy = v.object({
  requestId: str,
  objectType: str,
  workspaceId: str,
  sessionId: opt(str),
  enforcerId: str,
  policyMode: str,
  targetArtifactType: opt(str),
  actionSelector: opt(v.record(str, v.unknown())),
  selectorHash: opt(str),
  createdAt: opt(str),
  expiresAt: str,
});
/** A do-not-disturb policy (e.g. `policyMode: 'approve_all'` until `expiresAt`). */
export type DndPolicy = v.InferOutput<typeof DndPolicy>;

/** `GET /v1/policy/dnd/effective`. */
export const DndEffectiveResponse = v.object({
  msgType: str,
  requestId: str,
  body: v.pipe(
    v.nullish(v.array(DndPolicy)),
    v.transform((x) => x ?? []),
  ),
});
/** The effective DND policies of a workspace (`body` is `[]` when the gateway sends none). */
export type DndEffectiveResponse = Omit<v.InferOutput<typeof DndEffectiveResponse>, 'body'> & {
  body: DndPolicy[];
};

/** `GET /v1/consent/status`. */
export const ConsentStatusResponse = v.pipe(
  v.nullish(v.object({ status: opt(str) })),
  v.transform((x) => x?.status ?? 'unknown'),
);

/** `GET /v1/integrations/discovery` (spec §3.2): where users sign in. */
export const DiscoveryResponse = v.object({
  idp: opt(v.object({ baseUrl: opt(str), clientId: opt(str) })),
  auth: opt(v.object({ patSupported: opt(v.boolean()) })),
});
/** The gateway's identity provider (`idp.baseUrl` is the Keycloak realm URL) and whether PATs work. */
export type DiscoveryResponse = v.InferOutput<typeof DiscoveryResponse>;
