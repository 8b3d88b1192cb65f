import { clockTime, type Panel, PanelActionError, type PanelRow } from '../panel.ts';
import type { SandboxAuki } from '../services/auki.ts';

const RECENT = 20;
const newestFirst = <T>(items: T[]) => [...items.entries()].reverse().slice(0, RECENT);

/** Auki as the console shows it: the tokens issued (never the tokens) and the domain grants with their outcome. */
export function aukiPanel(auki: SandboxAuki): Panel {
  return {
    id: 'auki',
    title: 'Auki: tokens and domain access',
    snapshot() {
      const config = auki.config();
      return {
        facts: [
          { label: 'auth API', value: config.apiUrl },
          { label: 'discovery', value: config.ddsUrl },
          { label: 'demo login', value: `${auki.demo.email} / ${auki.demo.password}` },
        ],
        lists: [
          {
            id: 'grants',
            title: 'Domain grants',
            columns: [
              { key: 'time', label: 'time' },
              { key: 'domain', label: 'domain' },
              { key: 'outcome', label: 'outcome' },
              { key: 'subject', label: 'user' },
              { key: 'server', label: 'domain server' },
              { key: 'expires', label: 'expires' },
            ],
            rows: newestFirst(auki.grants).map(
              ([index, g]): PanelRow => ({
                key: String(index),
                cells: {
                  time: clockTime(g.at),
                  domain: g.domain,
                  outcome: g.outcome,
                  subject: g.subject,
                  server: g.server,
                  expires: g.expiresAt ? clockTime(g.expiresAt) : '',
                },
              }),
            ),
            empty: 'No domain access yet. getDomainAccess() calls appear here.',
          },
          {
            id: 'tokens',
            title: 'Tokens issued',
            columns: [
              { key: 'time', label: 'time' },
              { key: 'kind', label: 'kind' },
              { key: 'subject', label: 'user' },
              { key: 'expires', label: 'expires' },
            ],
            rows: newestFirst(auki.tokens).map(
              ([index, t]): PanelRow => ({
                key: String(index),
                cells: {
                  time: clockTime(t.at),
                  kind: t.kind,
                  subject: t.subject,
                  expires: t.expiresAt ? clockTime(t.expiresAt) : '',
                },
              }),
            ),
            empty: 'No tokens issued yet.',
          },
        ],
      };
    },
    act(action) {
      return Promise.reject(new PanelActionError(`The Auki panel has no action "${action}".`));
    },
  };
}
