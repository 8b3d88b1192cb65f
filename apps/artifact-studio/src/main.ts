// `pnpm --filter @x/artifact-studio start`: serves the studio until Ctrl+C.
import { startStudio } from './server.ts';

const studio = await startStudio();
console.log(`Artifact Studio: open ${studio.hostUrl}`);
console.log(`(the notes app is served from ${studio.artifactOrigin}, the gateway at ${studio.proxyBase})`);
process.on('SIGINT', async () => {
  await studio.close();
  process.exit(0);
});
