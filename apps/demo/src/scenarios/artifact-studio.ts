import { ArtifactGatewayError, issueAppToken, scopeFromRole, validateAppToken } from '@x/artifact-gateway';
import { createClient } from '@x/artifact-gateway/client';
import { startStudio } from '@x/artifact-studio/server';
import { check, type Scenario } from '../scenario.ts';
import { showRefusedAttacks } from './artifact-attacks.ts';

/**
 * Starts Artifact Studio (host page, notes app origin, its own gateway, a stand-in quote API the studio's
 * proxy policy lets through) and plays the notes app from Node: DuckDB, files, state and the external API
 * through the gateway, then the attacks it refuses. (Its host page is tested in Chromium by the studio's
 * own test; the tour needs no browser.)
 */
export const artifactStudioScenario: Scenario = {
  title: '@x/artifact-studio: a generated notes app behind its gateway, external API included',
  async run(say) {
    const studio = await startStudio();
    try {
      say(`studio host page   ${studio.hostUrl} (the notes app is served from ${studio.artifactOrigin})`);
      const token = await issueAppToken({
        secretKey: studio.secretKey,
        userId: 'demo-user',
        accountId: 'demo-account',
        context: 'lab_session:studio',
        scope: scopeFromRole('member'),
      });
      const claims = await validateAppToken({ secretKey: studio.secretKey, token });
      say(
        `app token          user ${claims.userId}, session ${claims.sessionId}, ${claims.scope.length} scopes`,
      );
      const app = createClient({ token, proxyBase: studio.proxyBase });

      await app.db.userExec('notes', 'CREATE TABLE IF NOT EXISTS notes (id INTEGER, body TEXT)');
      await app.db.userExec('notes', 'INSERT INTO notes VALUES (?, ?)', [
        1,
        "Robert'); DROP TABLE notes; --",
      ]);
      const { rows } = await app.db.userQuery('notes', 'SELECT body FROM notes');
      check(rows.length === 1, 'the injection string is stored as data');
      say(`DuckDB             stored ${JSON.stringify(rows[0]![0])} as plain data`);

      const written = await app.files.write('exports/notes.md', '# Notes\n');
      say(`files              wrote ${written.bytes} bytes to ${written.path}`);
      const { version } = await app.state.set('settings', 'notes-app', { theme: 'light' });
      say(`state              settings at version ${version}`);

      const quote = await app.external({ method: 'GET', url: `${await quoteUrl(studio.hostUrl)}` });
      check(quote.status === 200, 'the quote API answers through the proxy');
      say(`external API       ${(quote.body as { text: string }).text}`);

      await showRefusedAttacks(app, say);
      const forged = `${token.slice(0, -4)}AAAA`;
      const refused = await validateAppToken({ secretKey: studio.secretKey, token: forged }).catch(
        (e: unknown) => e,
      );
      check(ArtifactGatewayError.isInstance(refused), 'a forged token is refused');
      say(`refused            forged token: ${(refused as ArtifactGatewayError).message}`);
      return 'notes app: DuckDB, files, state, external API through the proxy; 5 attacks refused';
    } finally {
      await studio.close();
    }
  },
};

async function quoteUrl(hostUrl: string): Promise<string> {
  return ((await (await fetch(`${hostUrl}config`)).json()) as { quoteUrl: string }).quoteUrl;
}
