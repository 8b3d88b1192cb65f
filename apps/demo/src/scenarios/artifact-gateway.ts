import { ArtifactGatewayError, validateAppToken } from '@x/artifact-gateway';
import { createClient } from '@x/artifact-gateway/client';
import { check, type Scenario } from '../scenario.ts';
import { showRefusedAttacks } from './artifact-attacks.ts';

/**
 * A generated notes app, played from Node against the sandbox's artifact gateway with a token the sandbox
 * issues: DuckDB, files and state through the gateway, then the attacks it refuses.
 *
 * Artifact Studio (the host page with the app in an iframe) is not started: it runs its own gateway, and
 * the browser half of it needs a browser, which the tour does not require. Its external-API step is left
 * out too: the sandbox's gateway proxies to the real internet only (loopback and private addresses are
 * refused, as shown below), and CI has no internet.
 */
export const artifactGatewayScenario: Scenario = {
  title:
    '@x/artifact-gateway: a generated app querying DuckDB through the gateway, and the attacks it refuses',
  async run(say, { sandbox }) {
    const { artifacts } = sandbox;
    const seen = artifacts.requests.length;
    const token = await artifacts.issueToken('demo-user');
    const claims = await validateAppToken({ secretKey: artifacts.secretKey, token });
    say(`sandbox gateway    ${artifacts.proxyBase}`);
    say(
      `app token          user ${claims.userId}, session ${claims.sessionId}, ${claims.scope.length} scopes`,
    );
    const app = createClient({ token, proxyBase: artifacts.proxyBase });

    await app.db.userExec('notes', 'CREATE TABLE IF NOT EXISTS notes (id INTEGER, body TEXT)');
    const injection = "Robert'); DROP TABLE notes; --";
    await app.db.userExec('notes', 'INSERT INTO notes VALUES (?, ?), (?, ?)', [1, 'Buy milk', 2, injection]);
    const { rows } = await app.db.userQuery('notes', 'SELECT id, body FROM notes ORDER BY id');
    check(rows.length === 2 && rows[1]![1] === injection, 'the injection string is stored as data');
    const { rows: counted } = await app.db.userQuery(
      'notes',
      'SELECT count(*) AS n FROM notes WHERE id > ?',
      [0],
    );
    check(Number(counted[0]![0]) === 2, 'DuckDB counts both notes');
    say(`DuckDB             2 notes; ${JSON.stringify(injection)} stored as plain data`);

    const written = await app.files.write('exports/notes.md', '# Notes\n- Buy milk\n');
    const readBack = await app.files.read('exports/notes.md');
    check(readBack.content === '# Notes\n- Buy milk\n', 'the file reads back as written');
    say(`files              wrote ${written.bytes} bytes to ${written.path} and read them back`);
    const { version } = await app.state.set('settings', 'notes-app', { theme: 'light' });
    const { version: next } = await app.state.set('settings', 'notes-app', { theme: 'dark' }, version);
    const stored = await app.state.get<{ theme: string }>('settings', 'notes-app');
    check(stored.data?.data.theme === 'dark' && stored.data.version === next, 'state holds the last write');
    const conflict = await app.state
      .set('settings', 'notes-app', { theme: 'blue' }, version)
      .then(() => undefined)
      .catch((e: unknown) => (e as { status?: number }).status);
    check(conflict === 409, 'a stale version is refused with 409');
    say(
      `state              settings v${version} → v${next} (theme dark); a write on stale v${version} → 409`,
    );

    await showRefusedAttacks(app, say);
    const forged = `${token.slice(0, -4)}AAAA`;
    const refused = await validateAppToken({ secretKey: artifacts.secretKey, token: forged }).catch(
      (e: unknown) => e,
    );
    check(ArtifactGatewayError.isInstance(refused), 'a forged token is refused');
    const overHttp = await createClient({ token: forged, proxyBase: artifacts.proxyBase })
      .db.userQuery('notes', 'SELECT body FROM notes')
      .then(() => undefined)
      .catch((e: unknown) => (e as { status?: number }).status);
    check(overHttp === 401, 'the gateway answers a forged token with 401');
    say(`refused            forged token: ${(refused as ArtifactGatewayError).message}; over HTTP → 401`);

    const logged = artifacts.requests.slice(seen);
    check(
      logged.filter((r) => r.user === claims.userId && r.status < 300).length === 9,
      "the gateway's request log shows the app's calls",
    );
    const refusals = logged.filter((r) => r.status >= 400).map((r) => r.status);
    say(
      `the console's request log shows ${logged.length} requests, refused ones answered ${refusals.join(', ')}`,
    );
    return 'DuckDB, files, state through the gateway; 5 attacks refused';
  },
};
