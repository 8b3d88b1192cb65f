import { clockTime, type Panel, PanelActionError, type PanelRow } from '../panel.ts';
import type { SandboxInkPass } from '../services/inkpass.ts';

const RECENT = 20;
const newestFirst = <T>(items: Iterable<T>) => [...items].reverse().slice(0, RECENT);

/**
 * inkPass as the console shows it: users with their organisation and status, API keys issued (never their
 * secrets), the last permission decisions with resource:action and the ABAC context, and Den files.
 */
export function inkPassPanel(inkpass: SandboxInkPass): Panel {
  const { fake } = inkpass;
  const orgName = (id: string) => fake.organizations.get(id)?.name ?? id;
  return {
    id: 'inkpass',
    title: 'inkPass: identity and permissions',
    snapshot() {
      return {
        facts: [
          { label: 'url', value: inkpass.url },
          { label: 'demo login', value: `${inkpass.demo.email} / ${inkpass.demo.password}` },
          { label: 'Den service key', value: fake.serviceApiKey },
        ],
        lists: [
          {
            id: 'decisions',
            title: 'Last permission decisions',
            columns: [
              { key: 'time', label: 'time' },
              { key: 'outcome', label: 'decision' },
              { key: 'permission', label: 'resource:action' },
              { key: 'user', label: 'user' },
              { key: 'context', label: 'context' },
            ],
            rows: newestFirst(inkpass.decisions.entries()).map(
              ([index, d]): PanelRow => ({
                key: String(index),
                cells: {
                  time: clockTime(d.at),
                  outcome: d.outcome,
                  permission: d.permission,
                  user: d.user,
                  context: d.context,
                },
              }),
            ),
            empty: 'No permission checks yet. checkPermission() calls appear here.',
          },
          {
            id: 'users',
            title: 'Users',
            columns: [
              { key: 'email', label: 'email' },
              { key: 'name', label: 'name' },
              { key: 'organization', label: 'organisation' },
              { key: 'status', label: 'status' },
              { key: 'twoFa', label: '2FA' },
            ],
            rows: newestFirst(fake.users.values()).map(
              (u): PanelRow => ({
                key: u.id,
                cells: {
                  email: u.email,
                  name: [u.firstName, u.lastName].filter(Boolean).join(' '),
                  organization: orgName(u.organizationId),
                  status: u.status,
                  twoFa: u.twoFaSecret ? 'on' : 'off',
                },
                actions:
                  u.status === 'pending' ? [{ action: 'show-code', label: 'Show verification code' }] : [],
              }),
            ),
            empty: 'No users.',
          },
          {
            id: 'api-keys',
            title: 'API keys issued',
            columns: [
              { key: 'name', label: 'name' },
              { key: 'owner', label: 'owner' },
              { key: 'scopes', label: 'scopes' },
              { key: 'expires', label: 'expires' },
              { key: 'created', label: 'created' },
            ],
            rows: newestFirst(inkpass.apiKeys).map(
              (k): PanelRow => ({
                key: k.id,
                cells: {
                  name: k.name,
                  owner: k.owner,
                  scopes: k.scopes.join(' ') || '(none)',
                  expires: k.expires,
                  created: clockTime(k.at),
                },
              }),
            ),
            empty: 'No API keys issued through the sandbox yet.',
          },
          {
            id: 'files',
            title: 'Den files',
            columns: [
              { key: 'name', label: 'name' },
              { key: 'organization', label: 'organisation' },
              { key: 'size', label: 'bytes' },
              { key: 'status', label: 'status' },
              { key: 'created', label: 'created' },
            ],
            rows: newestFirst(fake.files.values()).map(
              (f): PanelRow => ({
                key: f.id,
                cells: {
                  name: f.name,
                  organization: orgName(f.organizationId),
                  size: String(f.sizeBytes),
                  status: f.status,
                  created: clockTime(f.createdAt),
                },
              }),
            ),
            empty: 'No files stored.',
          },
        ],
      };
    },
    async act(action, key) {
      if (action !== 'show-code') throw new PanelActionError(`Unknown inkPass action "${action}".`);
      const user = fake.users.get(key);
      if (!user) throw new PanelActionError(`No inkPass user ${key}.`);
      const code = fake.verificationCode(user.email);
      if (!code) throw new PanelActionError(`No verification code was mailed to ${user.email}.`);
      return `Verification code for ${user.email}: ${code}`;
    },
  };
}
