// Roles and permission templates against the fake over real sockets: the four product templates, the
// template an organisation has, role assignment and what each role grants, with upstream's permission
// names (users:read / users:update, which no template grants), statuses and texts.
import { describe, expect, it } from 'vitest';
import { PermissionDeniedError, ResourceNotFoundError, ValidationError } from '../src/index.ts';
import { clientFor, freshEmail, ownerAndViewer, PASSWORD, refusedByClient, useFake } from './kit.ts';

const fake = useFake();
const badRequest = (message: string) => (error: unknown) =>
  ValidationError.isInstance(error) && error.status === 400 && error.message === message;

async function organisation() {
  return { client: clientFor(fake()).client, ...(await ownerAndViewer(fake(), 'roles')) };
}

describe('permission templates', () => {
  it('lists the four templates; a template has four roles by priority; role permissions with and without inheritance', async () => {
    const { client, viewerToken } = await organisation();
    const templates = await client.listTemplates(viewerToken);
    expect(templates.map((t) => [t.name, t.productType, t.version, t.roleCount, t.isActive])).toEqual([
      ['INKPASS_SOLO', 'inkpass_solo', 1, 4, true],
      ['TENTACLE_SOLO', 'tentacle_solo', 3, 4, true],
      ['MIMIC_SOLO', 'mimic_solo', 2, 4, true],
      ['AIOS_BUNDLE', 'aios_bundle', 4, 4, true],
    ]);
    const inkpass = templates[0]!;
    const detail = await client.getTemplate(viewerToken, inkpass.id);
    expect(detail.roles.map((r) => [r.roleName, r.displayName, r.priority, r.inheritsFrom])).toEqual([
      ['owner', 'Owner', 100, null],
      ['admin', 'Administrator', 80, 'developer'],
      ['developer', 'Developer', 50, 'viewer'],
      ['viewer', 'Viewer', 10, null],
    ]);
    expect(await client.listTemplateRoles(viewerToken, inkpass.id)).toEqual(detail.roles);

    const viewer = await client.getTemplateRolePermissions(viewerToken, inkpass.id, 'viewer');
    expect(viewer.every((p) => p.action === 'view')).toBe(true);
    expect(viewer).toContainEqual({ resource: 'files', action: 'view' });
    expect(viewer).not.toContainEqual({ resource: 'workflows', action: 'view' }); // not an inkPass pair
    const developer = await client.getTemplateRolePermissions(viewerToken, inkpass.id, 'developer');
    const own = await client.getTemplateRolePermissions(viewerToken, inkpass.id, 'developer', {
      inherited: false,
    });
    expect(fake().recorder.last()!.query).toEqual({ include_inherited: 'false' });
    expect(developer).toEqual(expect.arrayContaining(viewer));
    expect(own).not.toContainEqual({ resource: 'files', action: 'delete' });
    const admin = await client.getTemplateRolePermissions(viewerToken, inkpass.id, 'admin');
    expect(admin).toContainEqual({ resource: 'users', action: 'delete' });
    expect(admin).not.toContainEqual({ resource: 'billing', action: 'manage' });
    // Sorted by resource, then action, as upstream lists them.
    const keys = admin.map((p) => `${p.resource}\0${p.action}`);
    expect(keys).toEqual([...keys].sort());

    const tentacle = templates[1]!;
    expect(await client.getTemplateRolePermissions(viewerToken, tentacle.id, 'owner')).toContainEqual({
      resource: 'capabilities',
      action: 'manage',
    });
    await expect(client.getTemplateRolePermissions(viewerToken, inkpass.id, 'superuser')).rejects.toThrow(
      "Role 'superuser' not found in template",
    );
    await expect(client.getTemplate(viewerToken, '00000000-0000-4000-8000-000000000000')).rejects.toSatisfy(
      (e) => ResourceNotFoundError.isInstance(e) && (e as Error).message === 'Template not found',
    );
  });

  it('the organisation’s template: none after registration; applied, needing no sync; sync is for owners', async () => {
    const { client, ownerToken, viewerToken, orgId } = await organisation();
    // Seeding a role template applied the platform bundle.
    const current = await client.getOrganizationTemplate(viewerToken);
    expect(current).toMatchObject({
      organizationId: orgId,
      templateName: 'AIOS_BUNDLE',
      appliedVersion: 4,
      currentVersion: 4,
      needsUpdate: false,
    });
    expect(await client.syncOrganizationTemplate(ownerToken)).toEqual({
      message: 'Organization is already at latest version',
      version: 4,
    });
    await expect(client.syncOrganizationTemplate(viewerToken)).rejects.toSatisfy(
      (e) => PermissionDeniedError.isInstance(e) && (e as Error).message === 'Owner role required',
    );

    const lone = fake().seed.user({ email: freshEmail('lone'), password: PASSWORD });
    const loneToken = (await fake().issueTokens(lone.id)).accessToken;
    expect(await client.getOrganizationTemplate(loneToken)).toBeNull();
    expect(await client.listRoles(loneToken)).toEqual([]);
    await expect(client.syncOrganizationTemplate(loneToken)).rejects.toThrow(
      'No template applied to this organization',
    );
  });
});

describe('roles', () => {
  it('lists the organisation’s roles; the caller’s role; the owner assigns roles and the grants follow', async () => {
    const { client, viewer, ownerToken, viewerToken, orgId } = await organisation();
    expect((await client.listRoles(viewerToken)).map((r) => r.roleName)).toEqual([
      'owner',
      'admin',
      'developer',
      'viewer',
    ]);
    const mine = await client.getUserRole(viewerToken);
    expect(fake().recorder.last()!.path).toBe('/api/v1/roles/users/me');
    expect(mine).toMatchObject({ userId: viewer.id, organizationId: orgId, role: { roleName: 'viewer' } });
    // The legacy owner has no role template.
    expect((await client.getUserRole(ownerToken)).role).toBeNull();
    expect(await client.checkPermission(viewerToken, 'workflows', 'create')).toBe(false);

    const assigned = await client.assignRole(ownerToken, viewer.id, 'developer');
    expect(fake().recorder.last()).toMatchObject({ method: 'PUT', path: `/api/v1/roles/users/${viewer.id}` });
    expect(assigned.role).toMatchObject({ roleName: 'developer', displayName: 'Developer', priority: 50 });
    expect((await client.getUserRole(ownerToken, viewer.id)).role?.roleName).toBe('developer');
    expect(await client.checkPermission(viewerToken, 'workflows', 'create')).toBe(true);
    const granted = await client.getUserRolePermissions(ownerToken, viewer.id);
    expect(granted).toContainEqual({ resource: 'workflows', action: 'create' });
    expect(await client.listEffectivePermissions(viewerToken)).toEqual(granted);
    expect(
      (await client.listOrganizationMembers(ownerToken, orgId)).find((m) => m.id === viewer.id)?.role,
    ).toBe('developer');
  });

  it('users:read and users:update are no template’s: an admin is refused; unknown roles and non-members are 400s', async () => {
    const a = await organisation();
    const b = await organisation();
    await a.client.assignRole(a.ownerToken, a.viewer.id, 'admin');
    await expect(a.client.getUserRole(a.viewerToken, a.owner.id)).rejects.toSatisfy(
      (e) => PermissionDeniedError.isInstance(e) && (e as Error).message === 'Permission denied: users:read',
    );
    await expect(a.client.assignRole(a.viewerToken, a.owner.id, 'viewer')).rejects.toSatisfy(
      (e) =>
        PermissionDeniedError.isInstance(e) && (e as Error).message === 'Permission denied: users:update',
    );
    await expect(a.client.assignRole(a.ownerToken, a.viewer.id, 'superuser')).rejects.toSatisfy(
      badRequest("Role 'superuser' not found for organization"),
    );
    await expect(a.client.assignRole(a.ownerToken, b.viewer.id, 'viewer')).rejects.toSatisfy(
      badRequest(`User ${b.viewer.id} is not a member of organization ${a.orgId}`),
    );
    // Another organisation's user has no role here.
    expect((await a.client.getUserRole(a.ownerToken, b.viewer.id)).role).toBeNull();
    expect(await a.client.getUserRolePermissions(a.ownerToken, b.viewer.id)).toEqual([]);
    const before = fake().recorder.requests.length;
    await expect(a.client.assignRole(a.ownerToken, 'me', 'viewer')).rejects.toSatisfy(refusedByClient);
    await expect(a.client.assignRole(a.ownerToken, a.viewer.id, '')).rejects.toSatisfy(refusedByClient);
    await expect(a.client.getTemplate(a.ownerToken, 'x/..')).rejects.toSatisfy(refusedByClient);
    expect(fake().recorder.requests.length).toBe(before);
  });

  it('an invitee gets the role template of their role when the organisation has a template', async () => {
    const { client, ownerToken } = await organisation();
    const email = freshEmail('dev');
    await client.createInvitation(ownerToken, { email, role: 'developer' });
    await client.acceptInvitation({ token: fake().invitationToken(email)!, password: PASSWORD });
    const { accessToken } = await client.login({ email, password: PASSWORD });
    expect((await client.getUserRole(accessToken)).role?.roleName).toBe('developer');
    expect(await client.checkPermission(accessToken, 'workflows', 'execute')).toBe(true);
  });
});
