// Shared setup of the auth tests: a fake identity provider and clients that share its clock.

import { AirlockAuthClient, type AirlockAuthClientOptions } from '../src/auth/index.ts';
import type { FakeOidcProviderOptions } from '../src/testing/index.ts';
import { startFakeOidcProvider } from '../src/testing/index.ts';

export async function startIdp(options: FakeOidcProviderOptions = {}) {
  const idp = await startFakeOidcProvider(options);
  /** Every wait the clients asked for, in ms; each one moves the fake clock. */
  const sleeps: number[] = [];
  /** Runs before each wait is taken (index = how many waits came before); may act as the user. */
  let onSleep: (index: number, ms: number) => unknown = () => {};
  const client = (extra: Partial<AirlockAuthClientOptions> = {}) =>
    new AirlockAuthClient({
      baseUrl: idp.realmUrl,
      now: () => idp.clock.now(),
      sleep: async (ms) => {
        const index = sleeps.length;
        sleeps.push(ms);
        const advanced = onSleep(index, ms);
        idp.clock.advance(typeof advanced === 'number' ? advanced : ms);
      },
      ...extra,
    });
  return {
    idp,
    sleeps,
    client,
    /** Sets what happens at each wait; return a number to move the clock by that instead. */
    whenSleeping(fn: (index: number, ms: number) => unknown) {
      onSleep = fn;
    },
    /** The requests that reached the token endpoint with this grant type. */
    tokenRequests(grantType: string) {
      return idp.recorder.requests.filter(
        (r) => r.path.endsWith('/token') && new URLSearchParams(r.body).get('grant_type') === grantType,
      );
    },
  };
}

export type Idp = Awaited<ReturnType<typeof startIdp>>;

/** A fresh session: a device login the user approves at once. */
export async function signIn(ctx: Idp, client: AirlockAuthClient) {
  return client.login((info) => ctx.idp.approveDevice(info.userCode));
}
