// Child process of the streaming benchmark: runs the fake inkPass so its memory is not the client's.
import { startFakeInkPass } from '../src/testing/index.ts';

const fake = await startFakeInkPass({
  maxFileSizeBytes: Number(process.env.FAKE_MAX_BYTES ?? 104_857_600),
  orgQuotaBytes: 1e12,
});
const org = fake.seed.organization({ name: 'Bench' });
process.on('message', async (message: { type: string }) => {
  if (message.type === 'close') {
    await fake.close();
    process.exit(0);
  }
});
process.send?.({ type: 'ready', url: fake.url, orgId: org.id, serviceApiKey: fake.serviceApiKey });
