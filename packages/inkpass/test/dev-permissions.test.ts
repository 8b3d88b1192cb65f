// The developer permission presets: the upstream SDK's sets under TypeScript names, sorted and complete.
import { describe, expect, it } from 'vitest';
import {
  AIOS_PERMISSIONS,
  ALL_PERMISSIONS,
  formatPermissionsForApi,
  INKPASS_PERMISSIONS,
  INKPASS_RESOURCES,
  MIMIC_PERMISSIONS,
  MIMIC_RESOURCES,
  newPermissions,
  type PermissionPair,
  permissionsForPreset,
  permissionsForService,
  ROLE_PRESETS,
  SERVICE_PERMISSIONS,
  TENTACLE_PERMISSIONS,
  TENTACLE_RESOURCES,
  ValidationError,
} from '../src/index.ts';
import { KNOWN_PERMISSIONS } from '../src/testing/permissions.ts';

const keys = (list: readonly PermissionPair[]) => list.map(([r, a]) => `${r}:${a}`);

describe('developer permission presets', () => {
  it('has the upstream counts per service, no repeats, sorted by resource then action', () => {
    expect(TENTACLE_PERMISSIONS).toHaveLength(46);
    expect(MIMIC_PERMISSIONS).toHaveLength(22);
    expect(AIOS_PERMISSIONS).toHaveLength(29);
    expect(INKPASS_PERMISSIONS).toHaveLength(29);
    // Tentacle and Mimic share workflows:view/create/update/delete and webhooks:view.
    expect(newPermissions()).toHaveLength(46 + 22 + 29 - 5);
    expect(ALL_PERMISSIONS).toHaveLength(46 + 22 + 29 - 5 + 29);
    for (const list of [TENTACLE_PERMISSIONS, ALL_PERMISSIONS, ROLE_PRESETS.viewer]) {
      expect(new Set(keys(list)).size).toBe(list.length);
      const sorted = [...list].sort((x, y) =>
        x[0] === y[0] ? (x[1] < y[1] ? -1 : 1) : x[0] < y[0] ? -1 : 1,
      );
      expect(list).toEqual(sorted);
    }
    expect(TENTACLE_RESOURCES).toContain('workspace_types');
    expect(MIMIC_RESOURCES).toEqual(expect.arrayContaining(['workflows', 'webhooks', 'gateway']));
    expect(MIMIC_RESOURCES).toHaveLength(8);
    expect(INKPASS_RESOURCES).toEqual([
      'api_keys',
      'billing',
      'files',
      'groups',
      'organization',
      'permissions',
      'plans',
      'users',
    ]);
  });

  it('role presets filter by action; the narrow presets are exact', () => {
    expect(ROLE_PRESETS.admin).toBe(ALL_PERMISSIONS);
    expect(ROLE_PRESETS.viewer.every(([, a]) => ['view', 'query', 'search'].includes(a))).toBe(true);
    expect(keys(ROLE_PRESETS.viewer)).toContain('workspace:query');
    expect(keys(ROLE_PRESETS.developer)).toContain('notifications:send');
    expect(keys(ROLE_PRESETS.developer)).not.toContain('workflows:delete');
    expect(keys(ROLE_PRESETS.operator)).toContain('checkpoints:resolve');
    expect(keys(ROLE_PRESETS.operator)).not.toContain('workflows:create');
    expect(keys(ROLE_PRESETS.notification_sender)).toEqual([
      'delivery_logs:view',
      'notifications:send',
      'notifications:view',
      'templates:view',
    ]);
    expect(ROLE_PRESETS.workflow_operator).toHaveLength(11);
    expect(ROLE_PRESETS.tentacle_admin).toEqual(SERVICE_PERMISSIONS.tentacle);
    expect(SERVICE_PERMISSIONS.tentacle).toHaveLength(75);
    expect(permissionsForPreset('viewer')).toBe(ROLE_PRESETS.viewer);
    expect(permissionsForService('inkpass')).toBe(INKPASS_PERMISSIONS);
  });

  it('unknown names are a ValidationError listing what exists; the API format is sorted objects', () => {
    const error = (() => {
      try {
        permissionsForPreset('superuser');
      } catch (e) {
        return e;
      }
    })();
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('admin, aios_admin, developer');
    expect(() => permissionsForService('toString')).toThrow('aios, inkpass, mimic, tentacle');
    expect(
      formatPermissionsForApi([
        ['workflows', 'view'],
        ['agents', 'view'],
        ['agents', 'view'],
      ]),
    ).toEqual([
      { resource: 'agents', action: 'view' },
      { resource: 'workflows', action: 'view' },
    ]);
  });

  it('the fake grants from the same table, plus the server templates’ capabilities and integrations', () => {
    const known = Object.entries(KNOWN_PERMISSIONS).flatMap(([r, actions]) =>
      actions.map((a) => `${r}:${a}`),
    );
    const extra = ['capabilities:view', 'capabilities:manage'].concat(
      ['view', 'create', 'update', 'delete', 'execute'].map((a) => `integrations:${a}`),
    );
    expect(known.sort()).toEqual([...keys(ALL_PERMISSIONS), ...extra].sort());
  });
});
