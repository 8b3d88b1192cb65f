import { createHttpClient } from '@x/http-core';
import type { ConsoleState, PanelList } from '@x/sandbox';

/**
 * The sandbox console's action header (its `CONSOLE_HEADER`, which `@x/sandbox` does not export): the console
 * accepts button presses only with it, so a cross-site page cannot press them.
 */
const CONSOLE_HEADER = 'x-sandbox-console';

/** The approver console over its own HTTP API, as its page uses it: read the state, press a row's button. */
export interface ConsoleDriver {
  /** The list `listId` of panel `panelId`, as `GET /api/state` serves it now. */
  list(panelId: string, listId: string): Promise<PanelList>;
  /** Presses the button `action` on row `key` of panel `panelId`; resolves with the console's status line. */
  press(panelId: string, action: string, key: string, inputs?: Record<string, string>): Promise<string>;
}

/** Drives the console at `consoleUrl` the way a person at the page does, over HTTP. */
export function driveConsole(consoleUrl: string): ConsoleDriver {
  const http = createHttpClient({ baseUrl: consoleUrl, retry: false, timeout: 30_000 });
  return {
    async list(panelId, listId) {
      const state = (await http.get('/api/state')) as ConsoleState;
      const list = state.panels.find((p) => p.id === panelId)?.lists.find((l) => l.id === listId);
      if (!list) throw new Error(`The console has no list ${panelId}/${listId}.`);
      return list;
    },
    async press(panelId, action, key, inputs = {}) {
      const answer = (await http.post(`/api/panels/${panelId}/actions/${action}`, {
        headers: { [CONSOLE_HEADER]: '1' },
        json: { key, inputs },
      })) as { message: string };
      return answer.message;
    },
  };
}
