// `pnpm bench` for @x/airlock:
// 1. encrypt-and-submit per second against the fake gateway vs a raw fetch POST of the same body (target ≥0.8×);
// 2. the fake gateway holding 10,000 concurrent long-polls (in a child process): its memory while they are
//    held (target < 512 MB) and that every poll is answered once the decisions arrive.
import { fork } from 'node:child_process';
import { compare, summarize } from '@x/tooling/bench';
import { AirlockGatewayClient, startPairing } from '../src/index.ts';
import { startFakeGateway } from '../src/testing/index.ts';

const PAT = 'airpat_bench';

async function throughput() {
  const gateway = await startFakeGateway({ pats: [PAT], autoCompletePairing: true });
  try {
    const client = new AirlockGatewayClient({ baseUrl: gateway.url, pat: PAT, nonceJournal: false });
    const pairing = await startPairing(client, { enforcerId: 'enf-bench', deviceId: 'dev-bench' });
    const { routingToken, encryptionKey } = await pairing.waitForCompletion({ intervalMs: 10 });
    const plaintextPayload = JSON.stringify({
      command: 'npm publish',
      cwd: '/work/app',
      env: { CI: 'true' },
    });
    const request = { enforcerId: 'enf-bench', plaintextPayload, encryptionKey, metadata: { routingToken } };
    // The raw baseline posts the body the client built, with only the requestId changed each time.
    const sample = await client.encryptAndSubmitArtifact({ ...request, requestId: 'req-template' });
    const template = JSON.stringify(gateway.exchanges.get(sample.requestId)!.envelope);
    let n = 0;
    const rows = await compare({
      title: 'encrypt-and-submit vs raw fetch POST of the same body (fake gateway, loopback)',
      timeMs: Number(process.env.BENCH_TIME_MS ?? 3000),
      baseline: {
        name: 'raw fetch POST /v1/artifacts',
        fn: async () => {
          const res = await fetch(`${gateway.url}/v1/artifacts`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-pat': PAT },
            body: template.replace('req-template', `req-raw-${n++}`),
          });
          if (res.status !== 202) throw new Error(String(res.status));
          await res.arrayBuffer();
        },
      },
      candidates: [
        {
          name: 'client.encryptAndSubmitArtifact()',
          target: 0.8,
          fn: () => client.encryptAndSubmitArtifact(request),
        },
      ],
    });
    return rows;
  } finally {
    await gateway.close();
  }
}

async function longPolls(count: number) {
  const child = fork(new URL('./gateway-server.ts', import.meta.url).pathname, [], {
    execArgv: ['--conditions=@x/source', '--import', 'tsx'],
  });
  const next = (type: string) =>
    new Promise<any>((resolve) => {
      const on = (m: any) => {
        if (m.type !== type) return;
        child.off('message', on);
        resolve(m);
      };
      child.on('message', on);
    });
  const ready = await next('ready');
  const stats = async () => {
    const p = next('stats');
    child.send({ type: 'stats' });
    return p;
  };
  try {
    const before = await stats();
    const client = new AirlockGatewayClient({
      baseUrl: ready.url,
      pat: PAT,
      signerPublicKey: ready.signerPublicKey,
    });
    const pairing = await startPairing(client, { enforcerId: 'enf-bench', deviceId: 'dev-bench' });
    const { routingToken, encryptionKey } = await pairing.waitForCompletion({ intervalMs: 10 });
    const ids: string[] = [];
    for (let i = 0; i < count; i += 200) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(200, count - i) }, (_, j) =>
          client.encryptAndSubmitArtifact({
            enforcerId: 'enf-bench',
            plaintextPayload: JSON.stringify({ n: i + j }),
            encryptionKey,
            metadata: { routingToken },
          }),
        ),
      );
      ids.push(...batch.map((b) => b.requestId));
    }
    const started = Date.now();
    const polls = ids.map((id) => client.waitForDecision(id, { timeoutSeconds: 60 }));
    let held = 0;
    while (Date.now() - started < 50_000) {
      held = (await stats()).pendingWaits;
      if (held >= count) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const heldAfterMs = Date.now() - started;
    const whileHeld = await stats();
    const decideStart = Date.now();
    child.send({ type: 'decide-all' });
    const results = await Promise.allSettled(polls);
    const answered = results.filter(
      (r) => r.status === 'fulfilled' && r.value?.body?.decision === 'approve',
    ).length;
    const ms = Date.now() - decideStart;
    const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
    console.log(
      `\nfake gateway holding ${count.toLocaleString('en-US')} concurrent long-polls (child process)`,
    );
    console.log(`  held at once        ${held.toLocaleString('en-US')} (all open after ${heldAfterMs} ms)`);
    console.log(
      `  gateway memory      rss ${mb(whileHeld.rss)} (idle ${mb(before.rss)}), heap ${mb(whileHeld.heapUsed)}  target < 512 MB ${whileHeld.rss < 512 * 1048576 ? 'met' : 'MISSED'}`,
    );
    console.log(
      `  answered            ${answered.toLocaleString('en-US')}/${count.toLocaleString('en-US')} verified approvals within ${ms} ms of the decisions ${answered === count ? '' : '(MISSED)'}`,
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) console.log(`  first failure       ${(failed as PromiseRejectedResult).reason}`);
  } finally {
    child.send({ type: 'close' });
  }
}

const rows = await throughput();
summarize(rows);
await longPolls(Number(process.env.BENCH_LONG_POLLS ?? 10_000));
