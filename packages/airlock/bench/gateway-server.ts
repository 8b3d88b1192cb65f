// Child process of the long-poll benchmark: runs the fake gateway so its sockets and memory are its own.
// Messages: 'decide-all' → decides every pending exchange; 'stats' → { rss, heapUsed, pendingWaits }.
import { startFakeGateway } from '../src/testing/index.ts';

const gateway = await startFakeGateway({ pats: ['airpat_bench'], autoCompletePairing: true });
const send = (message: unknown) => process.send?.(message);
process.on('message', async (message: { type: string }) => {
  if (message.type === 'stats') {
    const m = process.memoryUsage();
    send({ type: 'stats', rss: m.rss, heapUsed: m.heapUsed, pendingWaits: gateway.pendingWaits() });
  } else if (message.type === 'decide-all') {
    let decided = 0;
    for (const exchange of gateway.exchanges.values()) {
      if (exchange.state !== 'PendingApproval') continue;
      await gateway.decide(exchange.requestId, { decision: 'approve' });
      decided++;
    }
    send({ type: 'decided', decided });
  } else if (message.type === 'close') {
    await gateway.close();
    process.exit(0);
  }
});
send({ type: 'ready', url: gateway.url, signerPublicKey: gateway.signerPublicKey });
