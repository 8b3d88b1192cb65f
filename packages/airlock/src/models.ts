/**
 * valibot schemas of the gateway's JSON, with the TypeScript types inferred from them. The
 * wire already spells members in camelCase, so the TypeScript names are the wire names; `null` (which some
 * servers send for absent optionals) reads as `undefined`.
 *
 * @module
 */
import * as v from 'valibot';

// An optional member that may also arrive as null; both read as undefined (its default, undefined, replaces
// null). Typed with a `default` that may be absent so that the member stays optional (`?:`) in inferred types.
type Opt<S extends v.GenericSchema> = Omit<v.NullishSchema<S, () => undefined>, 'default'> & {
  readonly default: (() => undefined) | undefined;
};
const opt = <S extends v.GenericSchema>(schema: S): Opt<S> => v.nullish(schema, () => undefined);
const str = v.string();

/** `GET /echo`. */
export const EchoResponse = v.object({
  /** The gateway's time in UTC, e.g. `2025-01-01T00:00:00Z`. */
  utc: str,
  /** The same time in the gateway's zone, e.g. `2025-01-01T03:00:00+03:00`. */
  local: str,
  /** The IANA zone, e.g. `Europe/Istanbul`. */
  timezone: str,
  /** The zone's offset from UTC in minutes, e.g. `180`. */
  offsetMinutes: v.number(),
});
/** `GET /echo`: the gateway's clock and time zone. */
export type EchoResponse = v.InferOutput<typeof EchoResponse>;

/** `GET /v1/exchanges/{requestId}`. */
export const ExchangeStatusResponse = v.object({
  /** The HARP message type. */
  msgType: str,
  /** The exchange (request) id. */
  requestId: str,
  /** The exchange's state. */
  body: opt(
    v.object({
      /** The exchange (request) id. */
      requestId: str,
      /** The state, e.g. `PendingApproval` / `Completed` (compare ignoring case). */
      state: str,
      /** When it was created (ISO 8601). */
      createdAt: opt(str),
      /** When it expires (ISO 8601). */
      expiresAt: opt(str),
      /** Lowercase hex SHA-256 of the canonical artifact. */
      artifactHash: opt(str),
      /** The decision, once there is one (untyped). */
      decision: v.nullish(v.unknown()),
    }),
  ),
});
/** The state of an exchange (`body.state`, e.g. `PendingApproval`). */
export type ExchangeStatusResponse = v.InferOutput<typeof ExchangeStatusResponse>;

/** The body of a `decision.deliver` envelope. */
export const DecisionBody = v.object({
  /** Lowercase hex SHA-256 of the canonical artifact. */
  artifactHash: str,
  /** The decision: `approve` or `reject`. */
  decision: str,
  /** The approver's reason. */
  reason: opt(str),
  /** The id of the approver's signing key. */
  signerKeyId: opt(str),
  /** The decision nonce (anti-replay, see `NonceJournal`). */
  nonce: opt(str),
  /** Ed25519 signature over the canonical signable object, base64url. */
  signature: opt(str),
  /** SHA-256 of the signable object (present with a signature; not checked). */
  decisionHash: opt(str),
});
/** What the approver decided (`approve` / `reject`) on which artifact hash, signed. */
export type DecisionBody = v.InferOutput<typeof DecisionBody>;

/** `GET /v1/exchanges/{requestId}/wait` with a decision. */
export const DecisionDeliverEnvelope = v.object({
  /** The message id (acknowledge it with `acknowledgeDecision`). */
  msgId: opt(str),
  /** The HARP message type. */
  msgType: str,
  /** The exchange (request) id. */
  requestId: str,
  /** When the decision was delivered. */
  createdAt: opt(str),
  /** When the decision stops being valid, if the gateway says (checked by `verifyDecision`). */
  expiresAt: opt(str),
  /** The decision; absent only in malformed envelopes. */
  body: opt(DecisionBody),
});
/** A delivered decision; check it with `verifyDecision` before acting on it. */
export type DecisionDeliverEnvelope = v.InferOutput<typeof DecisionDeliverEnvelope>;

/** Who sent a HARP message; each id is present only for its kind of sender. */
export const SenderInfo = v.object({
  /** The enforcer's id, on messages an enforcer sends. */
  enforcerId: opt(str),
  /** The approver's id, on messages an approver sends. */
  approverId: opt(str),
  /** The gateway's id, on messages the gateway sends. */
  gatewayId: opt(str),
});
/** The `sender` of a HARP envelope. */
export type SenderInfo = v.InferOutput<typeof SenderInfo>;

/** To whom a HARP message goes. */
export const RecipientInfo = v.object({
  /** The enforcer's id. */
  enforcerId: opt(str),
  /** The approver's id. */
  approverId: opt(str),
});
/** The `recipient` of a HARP envelope. */
export type RecipientInfo = v.InferOutput<typeof RecipientInfo>;

/**
 * The schema of a HARP envelope whose `body` follows `body`, e.g.
 * `HarpEnvelope(v.object({ code: v.string() }))` for an error envelope.
 *
 * @example
 * ```ts
 * const envelope = v.parse(HarpEnvelope(v.unknown()), JSON.parse(text));
 * ```
 */
export function HarpEnvelope<S extends v.GenericSchema>(body: S) {
  return v.object({
    /** The message id. */
    msgId: opt(str),
    /** The message type, e.g. `artifact.submit`, `decision.deliver`, `error`. */
    msgType: str,
    /** The exchange (request) id. */
    requestId: str,
    /** When it was created (ISO 8601). */
    createdAt: opt(str),
    /** When it stops being valid (ISO 8601). */
    expiresAt: opt(str),
    /** Who sent it. */
    sender: opt(SenderInfo),
    /** To whom it goes. */
    recipient: opt(RecipientInfo),
    /** The message. */
    body: opt(body),
  });
}
/** A HARP envelope carrying a `T` in its `body`, as the upstream SDKs' `HarpEnvelope<T>`. */
export type HarpEnvelope<T = unknown> = Omit<
  v.InferOutput<ReturnType<typeof HarpEnvelope<v.UnknownSchema>>>,
  'body'
> & {
  /** The message, typed by the caller. */
  body?: T | undefined;
};

/** `POST /v1/pairing/initiate` request. */
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
  /** The pairing's handle for status polls. */
  pairingNonce: str,
  /** The code the user enters in the mobile app, e.g. `ABC123`. */
  pairingCode: str,
  /** The device id sent. */
  deviceId: str,
  /** The gateway URL. */
  gatewayUrl: opt(str),
  /** When it expires (ISO 8601). */
  expiresAt: opt(str),
});
/** A started pairing: show `pairingCode` to the user, poll with `pairingNonce`. */
export type PairingInitiateResponse = v.InferOutput<typeof PairingInitiateResponse>;

/** `GET /v1/pairing/{pairingNonce}/status`. */
export const PairingStatusResponse = v.object({
  /** The pairing's handle for status polls. */
  pairingNonce: str,
  /** The state, e.g. `PendingApproval` / `Completed` (compare ignoring case). */
  state: str,
  /** JSON text; on completion holds the approver's `x25519PublicKey`. */
  responseJson: opt(str),
  /** Present when completed: send it as `metadata.routingToken`. */
  routingToken: opt(str),
  /** When it expires (ISO 8601). */
  expiresAt: opt(str),
});
/** A pairing's state (`Completed`, `Revoked`, `Expired`, anything else = pending). */
export type PairingStatusResponse = v.InferOutput<typeof PairingStatusResponse>;

/** `POST /v1/pairing/revoke` response. */
export const PairingRevokeResponse = v.object({
  /** `revoked`. */
  status: str,
  /** The enforcer that was unpaired. */
  enforcerId: opt(str),
});
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
export const PairingClaimResponse = v.object({
  /** The pairing's handle for status polls. */
  pairingNonce: str,
  /** When the claimed pairing expires (ISO 8601). */
  expiresAt: opt(str),
});
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
  /** The policy's id. */
  requestId: str,
  /** The policy object type, e.g. `airlock.dnd.workspace`. */
  objectType: str,
  /** The workspace's id. */
  workspaceId: str,
  /** The session it is limited to, if any. */
  sessionId: opt(str),
  /** The enforcer's id. */
  enforcerId: str,
  /** What the policy does, e.g. `approve_all`. */
  policyMode: str,
  /** The artifact type it applies to, if limited. */
  targetArtifactType: opt(str),
  /** Which actions it covers (free-form). */
  actionSelector: opt(v.record(str, v.unknown())),
  /** Hash of the selector. */
  selectorHash: opt(str),
  /** When it was created (ISO 8601). */
  createdAt: opt(str),
  /** When it expires (ISO 8601). */
  expiresAt: str,
});
/** A do-not-disturb policy (e.g. `policyMode: 'approve_all'` until `expiresAt`). */
export type DndPolicy = v.InferOutput<typeof DndPolicy>;

/** `GET /v1/policy/dnd/effective`. */
export const DndEffectiveResponse = v.object({
  /** The HARP message type. */
  msgType: str,
  /** The response's id. */
  requestId: str,
  /** The policies in force (`[]` when none). */
  body: v.nullish(v.array(DndPolicy), () => []),
});
/** The effective DND policies of a workspace (`body` is `[]` when the gateway sends none). */
export type DndEffectiveResponse = Omit<v.InferOutput<typeof DndEffectiveResponse>, 'body'> & {
  /** The policies in force (`[]` when none). */
  body: DndPolicy[];
};

/** `GET /v1/consent/status` (the client reads `status`, `'unknown'` when absent). */
export const ConsentStatusResponse = v.nullish(v.object({ status: opt(str) }));

/** `GET /v1/integrations/discovery`: where users sign in. */
export const DiscoveryResponse = v.object({
  /** The identity provider. */
  idp: opt(
    v.object({
      /** The Keycloak realm URL (the auth client's `baseUrl`). */
      baseUrl: opt(str),
      /** The OIDC client id, e.g. `airlock-integrations`. */
      clientId: opt(str),
    }),
  ),
  /** Authentication features. */
  auth: opt(
    v.object({
      /** Whether Personal Access Tokens are accepted. */
      patSupported: opt(v.boolean()),
    }),
  ),
});
/** The gateway's identity provider (`idp.baseUrl` is the Keycloak realm URL) and whether PATs work. */
export type DiscoveryResponse = v.InferOutput<typeof DiscoveryResponse>;
