/**
 * What the console shows of one service: plain data (lists of rows with actions) that the page renders the
 * same way for every service, so adding a service means writing a snapshot, not a view.
 *
 * @module
 */

/** A button on a row; `inputs` are text fields sent with it (e.g. a reason). */
export interface RowAction {
  /** The action's name, passed to {@link Panel.act}. */
  action: string;
  /** The button's label, e.g. `Approve`. */
  label: string;
  /** Text fields shown next to the buttons and sent with any of them. */
  inputs?: { name: string; label: string; placeholder?: string }[];
  /** Marks a destructive or refusing action (rendered in red). */
  danger?: boolean;
}

/** One row: a stable key and its cells by column key. */
export interface PanelRow {
  /** Stable across snapshots (an id), so the page keeps a row's typed input while it updates. */
  key: string;
  /** Cell texts by column key. Rendered as text, never as HTML. */
  cells: Record<string, string>;
  /** Long text shown under the row (e.g. a decrypted artifact). */
  detail?: string;
  /** Buttons for this row. */
  actions?: RowAction[];
}

/** A titled table of rows. */
export interface PanelList {
  /** Unique within the panel. */
  id: string;
  /** The heading above the table. */
  title: string;
  /** Column keys and headers, in order. */
  columns: { key: string; label: string }[];
  /** The rows, newest first. */
  rows: PanelRow[];
  /** What to show when there are no rows. */
  empty: string;
}

/** A snapshot of one service for the console. */
export interface PanelSnapshot {
  /** Short facts shown under the title (e.g. the service's URL). */
  facts: { label: string; value: string }[];
  /** The tables. */
  lists: PanelList[];
}

/** One service in the console. */
export interface Panel {
  /** URL-safe id, e.g. `airlock`. */
  id: string;
  /** The section title. */
  title: string;
  /** The current state (called a few times a second while a console is open; keep it cheap). */
  snapshot(): PanelSnapshot;
  /**
   * Performs a row action; resolves with a line for the console's status area, rejects with an error whose
   * message says what went wrong.
   */
  act(action: string, key: string, inputs: Record<string, string>): Promise<string>;
}

/** Thrown by {@link Panel.act} for an unknown action or row: the console answers 400 with its message. */
export class PanelActionError extends Error {
  override name = 'PanelActionError';
}

/** `2026-11-23T14:00:00.000Z` → `14:00:00`, enough for a console that shows the last minutes. */
export function clockTime(ms: number | string | undefined): string {
  if (ms === undefined || ms === '') return '';
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString().slice(11, 19);
}
