import { clockTime, type Panel, PanelActionError, type PanelRow } from '../panel.ts';
import type { SandboxArtifacts } from '../services/artifacts.ts';

const RECENT = 30;

/** The artifact gateway as the console shows it: its request log (user, route, status, duration; no tokens or bodies). */
export function artifactsPanel(artifacts: SandboxArtifacts): Panel {
  return {
    id: 'artifacts',
    title: 'Artifact gateway: request log',
    snapshot() {
      return {
        facts: [
          { label: 'proxy base', value: artifacts.proxyBase },
          { label: 'workspace (DuckDB and files)', value: artifacts.workspace },
        ],
        lists: [
          {
            id: 'requests',
            title: 'Requests',
            columns: [
              { key: 'time', label: 'time' },
              { key: 'user', label: 'user' },
              { key: 'route', label: 'route' },
              { key: 'status', label: 'status' },
              { key: 'duration', label: 'ms' },
            ],
            rows: [...artifacts.requests.entries()]
              .reverse()
              .slice(0, RECENT)
              .map(
                ([index, r]): PanelRow => ({
                  key: String(index),
                  cells: {
                    time: clockTime(r.at),
                    user: r.user || '(no valid token)',
                    route: `${r.method} ${r.route}`,
                    status: String(r.status),
                    duration: r.durationMs.toFixed(1),
                  },
                }),
              ),
            empty: 'No requests yet. Calls of the artifact client appear here.',
          },
        ],
      };
    },
    act(action) {
      return Promise.reject(new PanelActionError(`The artifact gateway panel has no action "${action}".`));
    },
  };
}
