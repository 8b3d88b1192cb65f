// API key listing and revocation, get_user_info and the five billing calls of the upstream SDK, against the
// fake over real sockets, with the real server's permissions, statuses and messages.
import { describe, expect, it } from 'vitest';
import { PermissionDeniedError, ServiceUnavailableError, ValidationError } from '../src/index.ts';
import { clientFor, ownerAndViewer, refusedByClient, useFake } from './kit.ts';

const fake = useFake();

/** An organisation with an owner, a viewer-template member, and the owner's token and service key. */
async function organisation() {
  const { client } = clientFor(fake());
  const team = await ownerAndViewer(fake(), 'billing');
  const key = await client.createApiKey(team.ownerToken, { name: 'billing service' });
  const service = clientFor(fake(), { apiKey: key.apiKey }).client;
  return { client, service, key, ...team };
}

describe('API keys: list and revoke', () => {
  it('a user lists their own keys, a service key lists the organisation’s; no secret is listed', async () => {
    const { client, service, ownerToken, viewer, key } = await organisation();
    const second = await client.createApiKey(ownerToken, {
      name: 'ci',
      scopes: ['files:read'],
      expiresInDays: 30,
    });
    const mine = await client.listApiKeys(ownerToken);
    expect(mine.map((k) => k.name).sort()).toEqual(['billing service', 'ci']);
    expect(mine.find((k) => k.id === second.id)).toMatchObject({ scopes: ['files:read'], lastUsedAt: null });
    expect(mine.find((k) => k.id === second.id)?.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(JSON.stringify(mine)).not.toContain(key.apiKey);

    const viewerToken = (await fake().issueTokens(viewer.id)).accessToken;
    expect(await client.listApiKeys(viewerToken)).toEqual([]);
    const viaKey = await service.listApiKeys();
    expect(viaKey.map((k) => k.id).sort()).toEqual([key.id, second.id].sort());
    // Listing with the key used it.
    expect((await client.listApiKeys(ownerToken)).find((k) => k.id === key.id)?.lastUsedAt).not.toBeNull();
  });

  it('revoking needs api_keys:delete; another organisation’s key and an unknown id are both "Access denied"', async () => {
    const a = await organisation();
    const b = await organisation();
    const denied = await a.client.revokeApiKey(a.viewerToken, a.key.id).catch((e: unknown) => e);
    expect(PermissionDeniedError.isInstance(denied)).toBe(true);
    expect((denied as Error).message).toContain('Permission denied: api_keys:delete');
    const foreign = await a.client.revokeApiKey(a.ownerToken, b.key.id).catch((e: unknown) => e);
    expect(PermissionDeniedError.isInstance(foreign)).toBe(true);
    expect((foreign as Error).message).toContain('Access denied');
    const unknown = await a.client
      .revokeApiKey(a.ownerToken, '00000000-0000-4000-8000-000000000000')
      .catch((e: unknown) => e);
    expect((unknown as Error).message).toContain('Access denied');

    await a.client.revokeApiKey(a.ownerToken, a.key.id);
    expect(await a.client.validateApiKey(a.key.apiKey)).toBeNull();
    expect((await a.client.listApiKeys(a.ownerToken)).map((k) => k.id)).not.toContain(a.key.id);
    expect(await b.client.validateApiKey(b.key.apiKey)).not.toBeNull();
  });

  it('refuses a key id that is not a UUID before any request, and listing without a token or apiKey', async () => {
    const { client, ownerToken } = await organisation();
    const before = fake().recorder.requests.length;
    for (const id of ['../me', 'a/b', '', '00000000-0000-4000-8000-000000000000?x=1'])
      await expect(client.revokeApiKey(ownerToken, id)).rejects.toSatisfy(refusedByClient);
    await expect(client.listApiKeys()).rejects.toSatisfy(refusedByClient);
    expect(fake().recorder.requests.length).toBe(before);
  });
});

describe('getUserInfo', () => {
  it('is validateToken under the upstream SDK’s name', async () => {
    const { client, owner, ownerToken } = await organisation();
    expect((await client.getUserInfo(ownerToken))?.id).toBe(owner.id);
    expect(await client.getUserInfo('not-a-token')).toBeNull();
  });
});

describe('billing', () => {
  it('a service configures billing; a user checks out, reads the subscription and opens the portal', async () => {
    const { client, service, owner, ownerToken } = await organisation();
    expect(await client.isBillingConfigured(ownerToken)).toBe(false);
    const configured = await service.configureBilling({
      stripeApiKey: 'sk_test_123',
      stripeWebhookSecret: 'whsec_1',
      prices: { pro: 'price_pro', enterprise: 'price_ent' },
    });
    expect(configured).toEqual({
      configured: true,
      organizationId: owner.organizationId,
      hasWebhookSecret: true,
      priceKeys: ['pro', 'enterprise'],
    });
    expect(await client.isBillingConfigured(ownerToken)).toBe(true);

    const checkout = await client.createCheckout(ownerToken, {
      priceKey: 'pro',
      successUrl: 'https://app.example.com/paid',
      cancelUrl: 'https://app.example.com/cancel',
      metadata: { plan: 'monthly' },
    });
    expect(checkout.sessionId).toMatch(/^cs_test_/);
    expect(checkout.url).toBe(`https://checkout.stripe.com/c/pay/${checkout.sessionId}`);
    expect(fake().billing(owner.organizationId)?.checkouts.at(-1)).toMatchObject({
      priceKey: 'pro',
      customerEmail: owner.email,
      metadata: { organization_id: owner.organizationId, price_key: 'pro', plan: 'monthly' },
    });

    expect(await client.getSubscription(ownerToken)).toEqual({
      status: 'none',
      tier: 'free',
      subscriptionId: null,
      stripeCustomerId: null,
      endsAt: null,
    });
    const portalRefused = await client
      .getBillingPortalUrl(ownerToken, 'https://app.example.com/billing')
      .catch((e: unknown) => e);
    expect(ValidationError.isInstance(portalRefused)).toBe(true);
    expect((portalRefused as Error).message).toContain('No Stripe customer ID found for organization');

    // Stripe's webhook would set this after the payment.
    fake().seed.subscription(owner.organizationId, {
      status: 'active',
      tier: 'pro',
      subscriptionId: 'sub_1',
      stripeCustomerId: 'cus_1',
      endsAt: Date.UTC(2027, 0, 1),
    });
    expect(await client.getSubscription(ownerToken)).toEqual({
      status: 'active',
      tier: 'pro',
      subscriptionId: 'sub_1',
      stripeCustomerId: 'cus_1',
      endsAt: new Date(Date.UTC(2027, 0, 1)),
    });
    expect(await client.getBillingPortalUrl(ownerToken, 'https://app.example.com/billing')).toMatch(
      /^https:\/\/billing\.stripe\.com\/p\/session\//,
    );
  });

  it('answers as the server: a user token cannot configure, unknown price keys and missing config are 400', async () => {
    const { client, service, ownerToken } = await organisation();
    const checkout = { priceKey: 'pro', successUrl: 'https://a.example/s', cancelUrl: 'https://a.example/c' };
    const notConfigured = await client.createCheckout(ownerToken, checkout).catch((e: unknown) => e);
    expect(ValidationError.isInstance(notConfigured)).toBe(true);
    expect((notConfigured as Error).message).toMatch(/Billing not configured for organization /);

    const asUser = clientFor(fake(), { apiKey: undefined }).client;
    // Even an owner's token: configuring billing is a service's call.
    const refused = await fetch(`${fake().url}/api/v1/billing/configure`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ stripe_api_key: 'sk_test_1' }),
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ detail: 'API key authentication required for this operation' });
    await expect(asUser.configureBilling({ stripeApiKey: 'sk_test_1' })).rejects.toSatisfy(refusedByClient);

    await service.configureBilling({ stripeApiKey: 'sk_test_1', prices: { pro: 'price_pro' } });
    const unknownPrice = await client
      .createCheckout(ownerToken, { ...checkout, priceKey: 'gold' })
      .catch((e: unknown) => e);
    expect((unknownPrice as Error).message).toContain('Price key not found: gold');
  });

  it('checks billing:create, billing:view and billing:manage; isBillingConfigured is false when refused', async () => {
    const { client, service, viewerToken } = await organisation();
    await service.configureBilling({ stripeApiKey: 'sk_test_1', prices: { pro: 'price_pro' } });
    const checkout = { priceKey: 'pro', successUrl: 'https://a.example/s', cancelUrl: 'https://a.example/c' };
    const create = await client.createCheckout(viewerToken, checkout).catch((e: unknown) => e);
    expect((create as Error).message).toContain('Permission denied: billing:create');
    // The viewer template may view billing but not manage it.
    expect((await client.getSubscription(viewerToken)).tier).toBe('free');
    const manage = await client
      .getBillingPortalUrl(viewerToken, 'https://a.example')
      .catch((e: unknown) => e);
    expect((manage as Error).message).toContain('Permission denied: billing:manage');
    // inkPass wants a user for this one, so a service key alone is refused (401): false, as upstream answers.
    expect(await service.isBillingConfigured()).toBe(false);
    expect(await client.isBillingConfigured('not-a-token')).toBe(false);
  });

  it('an outage is an error, never "not configured"', async () => {
    const { client, ownerToken } = await organisation();
    const failing = clientFor(fake(), { maxRetries: 0 }).client;
    fake().faults.enqueue({ status: 503, match: { path: '/api/v1/billing/configured' } });
    await expect(failing.isBillingConfigured(ownerToken)).rejects.toSatisfy((e) =>
      ServiceUnavailableError.isInstance(e),
    );
    expect(await client.isBillingConfigured(ownerToken)).toBe(false);
  });
});
