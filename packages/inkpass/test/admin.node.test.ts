// Administration against the fake over real sockets: users, groups (+ members), organisations (+ members)
// and invitations, with upstream's permission names, statuses, `detail` texts and quirks, and invitation
// expiry on the fake clock.
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  PermissionDeniedError,
  ResourceNotFoundError,
  ValidationError,
} from '../src/index.ts';
import { clientFor, freshEmail, ownerAndViewer, PASSWORD, refusedByClient, useFake } from './kit.ts';

const fake = useFake();
const denied = (message: string) => (error: unknown) =>
  PermissionDeniedError.isInstance(error) && (error as Error).message === message;
const badRequest = (message: string) => (error: unknown) =>
  ValidationError.isInstance(error) &&
  (error as ValidationError).status === 400 &&
  (error as Error).message === message;

/** An organisation with an owner and a viewer-template member, logged in, and a client. */
async function organisation() {
  return { client: clientFor(fake()).client, ...(await ownerAndViewer(fake(), 'adm')) };
}

describe('users', () => {
  it('lists, gets, creates, updates and deletes users of the organisation', async () => {
    const { client, owner, viewer, ownerToken } = await organisation();
    const listed = await client.listUsers(ownerToken);
    expect(listed.map((u) => u.id).sort()).toEqual([owner.id, viewer.id].sort());
    expect(await client.getUser(ownerToken, viewer.id)).toEqual({
      id: viewer.id,
      email: viewer.email,
      firstName: 'Test',
      lastName: 'User',
      status: 'active',
      twoFaEnabled: false,
    });

    const email = freshEmail('created');
    const created = await client.createUser(ownerToken, { email, password: 'x' });
    expect(created).toEqual({ id: created.id, email, firstName: null, lastName: null, status: 'active' });
    // No membership role: the new account can log in but holds no permission.
    const { accessToken } = await client.login({ email, password: 'x' });
    expect(await client.checkPermission(accessToken, 'users', 'view')).toBe(false);
    await expect(client.createUser(ownerToken, { email, password: PASSWORD })).rejects.toSatisfy(
      badRequest('User with this email already exists'),
    );

    const renamed = freshEmail('renamed');
    expect(await client.updateUser(ownerToken, created.id, { email: renamed })).toMatchObject({
      email: renamed,
    });
    await expect(client.updateUser(ownerToken, created.id, { email: owner.email })).rejects.toSatisfy(
      badRequest('Email already in use'),
    );
    expect(await client.updateUser(ownerToken, created.id, { status: 'suspended' })).toMatchObject({
      status: 'suspended',
    });
    await client.deleteUser(ownerToken, viewer.id);
    expect((await client.getUser(ownerToken, viewer.id)).status).toBe('deleted');
    expect(await client.validateToken((await fake().issueTokens(viewer.id)).accessToken)).toBeNull();
  });

  it('needs users:view/create/manage/delete; another organisation’s user is "Access denied", an unknown one 404', async () => {
    const a = await organisation();
    const b = await organisation();
    await expect(a.client.listUsers(a.viewerToken)).resolves.toHaveLength(2);
    for (const [call, pair] of [
      [() => a.client.createUser(a.viewerToken, { email: freshEmail(), password: PASSWORD }), 'users:create'],
      [() => a.client.updateUser(a.viewerToken, a.owner.id, { status: 'x' }), 'users:manage'],
      [() => a.client.deleteUser(a.viewerToken, a.owner.id), 'users:delete'],
    ] as const)
      await expect(call()).rejects.toSatisfy(denied(`Permission denied: ${pair}`));
    await expect(a.client.getUser(a.ownerToken, b.owner.id)).rejects.toSatisfy(denied('Access denied'));
    await expect(a.client.deleteUser(a.ownerToken, b.owner.id)).rejects.toSatisfy(denied('Access denied'));
    await expect(a.client.getUser(a.ownerToken, '00000000-0000-4000-8000-000000000000')).rejects.toSatisfy(
      (e) => ResourceNotFoundError.isInstance(e),
    );
    // The permission comes before the body: a viewer's malformed create is a 403, not a 422.
    const raw = await fetch(`${fake().url}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.viewerToken}`, 'content-type': 'application/json' },
      body: '{"email":"not-an-email"}',
    });
    expect(raw.status).toBe(403);
    const before = fake().recorder.requests.length;
    await expect(a.client.getUser(a.ownerToken, '../users')).rejects.toSatisfy(refusedByClient);
    await expect(a.client.createUser(a.ownerToken, { email: 'nope', password: PASSWORD })).rejects.toSatisfy(
      refusedByClient,
    );
    expect(fake().recorder.requests.length).toBe(before);
  });

  it('getUserPermissions lists the direct grants with their conditions', async () => {
    const { client, orgId, viewer, ownerToken } = await organisation();
    const edit = fake().seed.permission({
      organizationId: orgId,
      resource: 'projects',
      action: 'edit',
      conditions: { p: '1' },
    });
    fake().seed.grant(viewer.id, edit.id);
    const granted = await client.getUserPermissions(ownerToken, viewer.id);
    expect(granted.userId).toBe(viewer.id);
    expect(granted.permissions).toEqual([
      expect.objectContaining({ id: edit.id, resource: 'projects', action: 'edit', conditions: { p: '1' } }),
    ]);
  });
});

describe('groups', () => {
  it('creates, lists, updates and deletes groups; members gain the group’s permissions', async () => {
    const { client, orgId, viewer, ownerToken, viewerToken } = await organisation();
    const group = await client.createGroup(ownerToken, { name: 'Editors', description: 'can edit' });
    expect(group).toEqual({ id: group.id, name: 'Editors', description: 'can edit' });
    await expect(client.createGroup(ownerToken, { name: 'Editors' })).rejects.toSatisfy(
      badRequest('Group with this name already exists in organization'),
    );
    expect(await client.listGroups(viewerToken)).toEqual([group]);
    const other = await client.createGroup(ownerToken, { name: 'Other' });
    await expect(client.updateGroup(ownerToken, other.id, { name: 'Editors' })).rejects.toSatisfy(
      badRequest('Group with this name already exists'),
    );
    expect(await client.updateGroup(ownerToken, group.id, { description: 'edits' })).toMatchObject({
      name: 'Editors',
      description: 'edits',
    });

    const publish = fake().seed.permission({ organizationId: orgId, resource: 'posts', action: 'publish' });
    const publishers = fake().seed.group({
      organizationId: orgId,
      name: 'Publishers',
      permissions: [publish.id],
    });
    expect((await client.listGroups(ownerToken)).map((g) => g.name)).toContain('Publishers');
    expect(await client.checkPermission(viewerToken, 'posts', 'publish')).toBe(false);
    await client.addGroupMember(ownerToken, publishers.id, viewer.id);
    expect(await client.checkPermission(viewerToken, 'posts', 'publish')).toBe(true);
    await client.removeGroupMember(ownerToken, publishers.id, viewer.id);
    expect(await client.checkPermission(viewerToken, 'posts', 'publish')).toBe(false);
    await expect(client.removeGroupMember(ownerToken, publishers.id, viewer.id)).rejects.toThrow(
      'Group, user, or membership not found',
    );
    await client.deleteGroup(ownerToken, other.id);
    await expect(client.deleteGroup(ownerToken, other.id)).rejects.toSatisfy(denied('Access denied'));
  });

  it('needs groups:create/manage/delete; members must share the group’s organisation', async () => {
    const a = await organisation();
    const b = await organisation();
    const group = await a.client.createGroup(a.ownerToken, { name: 'Team' });
    await expect(a.client.createGroup(a.viewerToken, { name: 'X' })).rejects.toSatisfy(
      denied('Permission denied: groups:create'),
    );
    await expect(a.client.updateGroup(a.viewerToken, group.id, { name: 'Y' })).rejects.toSatisfy(
      denied('Permission denied: groups:manage'),
    );
    await expect(a.client.deleteGroup(a.viewerToken, group.id)).rejects.toSatisfy(
      denied('Permission denied: groups:delete'),
    );
    await expect(a.client.updateGroup(b.ownerToken, group.id, { name: 'Z' })).rejects.toSatisfy(
      denied('Access denied'),
    );
    await expect(a.client.addGroupMember(a.ownerToken, group.id, b.owner.id)).rejects.toSatisfy(
      badRequest('User and group must belong to same organization'),
    );
    await expect(
      a.client.addGroupMember(a.ownerToken, group.id, '00000000-0000-4000-8000-000000000000'),
    ).rejects.toThrow('Group or user not found');
    expect(await b.client.listGroups(b.ownerToken)).toEqual([]);
  });
});

describe('organizations', () => {
  it('lists and gets the caller’s organisation, updates it, lists its members; others are "Access denied"', async () => {
    const a = await organisation();
    const b = await organisation();
    const [mine] = await a.client.listOrganizations(a.ownerToken);
    expect(mine?.id).toBe(a.orgId);
    expect(await a.client.getOrganization(a.ownerToken, a.orgId)).toMatchObject({
      id: a.orgId,
      settings: {},
      planId: null,
    });
    await expect(a.client.getOrganization(a.ownerToken, b.orgId)).rejects.toSatisfy(denied('Access denied'));
    await expect(
      a.client.getOrganization(a.ownerToken, '00000000-0000-4000-8000-000000000000'),
    ).rejects.toThrow('Organization not found');
    const updated = await a.client.updateOrganization(a.ownerToken, a.orgId, {
      name: 'Renamed Co.',
      settings: { theme: 'dark' },
    });
    expect(updated).toMatchObject({ name: 'Renamed Co.', settings: { theme: 'dark' } });
    await expect(a.client.updateOrganization(a.viewerToken, a.orgId, { name: 'Nope' })).rejects.toSatisfy(
      denied('Permission denied: organization:manage'),
    );
    await expect(a.client.updateOrganization(a.ownerToken, b.orgId, { name: 'Nope' })).rejects.toSatisfy(
      denied('Access denied'),
    );
    const members = await a.client.listOrganizationMembers(a.viewerToken, a.orgId);
    expect(members).toEqual(
      expect.arrayContaining([
        { id: a.owner.id, email: a.owner.email, status: 'active', role: 'owner' },
        { id: a.viewer.id, email: a.viewer.email, status: 'active', role: 'member' },
      ]),
    );
  });

  it('creates an organisation with a derived or given slug; the caller does not join it', async () => {
    const { client, ownerToken, orgId } = await organisation();
    const name = `Acme Labs ${Date.now()}`;
    const org = await client.createOrganization(ownerToken, { name });
    expect(org.slug).toBe(name.toLowerCase().replaceAll(' ', '-'));
    await expect(client.createOrganization(ownerToken, { name })).rejects.toSatisfy(
      badRequest('Organization with this slug already exists'),
    );
    const [still] = await client.listOrganizations(ownerToken);
    expect(still?.id).toBe(orgId);
    await expect(client.getOrganization(ownerToken, org.id)).rejects.toSatisfy(denied('Access denied'));
    await expect(client.createOrganization(ownerToken, { name: 'A' })).rejects.toSatisfy(refusedByClient);
    const raw = await fetch(`${fake().url}/api/v1/organizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'A' }),
    });
    expect(raw.status).toBe(422);
    expect(await raw.json()).toMatchObject({
      detail: [
        { loc: ['body', 'name'], msg: 'Value error, Organization name must be at least 2 characters' },
      ],
    });
  });
});

describe('invitations', () => {
  it('invite, validate and accept: a new active account that logs in with its password', async () => {
    const { client, owner, orgId, ownerToken } = await organisation();
    const email = freshEmail('Invitee').replace('invitee', 'Invitee');
    const invitation = await client.createInvitation(ownerToken, { email, role: 'developer' });
    expect(invitation).toMatchObject({
      email: email.toLowerCase(),
      role: 'developer',
      status: 'pending',
      invitedByEmail: owner.email,
    });
    expect(Date.parse(`${invitation.expiresAt}Z`) - Date.parse(`${invitation.createdAt}Z`)).toBe(
      7 * 86_400_000,
    );
    const token = fake().invitationToken(email)!;
    expect(await client.validateInvitation(token)).toEqual({
      valid: true,
      email: email.toLowerCase(),
      role: 'developer',
      organizationName: fake().organizations.get(orgId)!.name,
      error: null,
    });
    const accepted = await client.acceptInvitation({ token, password: PASSWORD });
    expect(accepted).toMatchObject({
      email: email.toLowerCase(),
      organizationId: orgId,
      role: 'developer',
      isNewUser: true,
    });
    // As upstream: the tokens of the answer carry no session, so inkPass refuses them.
    expect(await client.validateToken(accepted.accessToken)).toBeNull();
    const login = await client.login({ email: email.toLowerCase(), password: PASSWORD });
    expect(await client.validateToken(login.accessToken)).toMatchObject({
      organizationId: orgId,
      firstName: null,
    });
    expect(await client.validateInvitation(token)).toMatchObject({
      valid: false,
      error: 'Invitation has already been used',
    });
    await expect(client.acceptInvitation({ token, password: PASSWORD })).rejects.toSatisfy(
      badRequest('Invitation has already been used'),
    );
    expect((await client.listInvitations(ownerToken, { status: 'accepted' })).map((i) => i.id)).toEqual([
      invitation.id,
    ]);
  });

  it('expires after 7 days on the fake clock; a resend mails a new token and the old one stops working', async () => {
    const { client, owner, ownerToken } = await organisation();
    const email = freshEmail('late');
    const invitation = await client.createInvitation(ownerToken, { email });
    expect(invitation.role).toBe('member');
    await expect(client.createInvitation(ownerToken, { email })).rejects.toSatisfy(
      badRequest('An invitation has already been sent to this email'),
    );
    const first = fake().invitationToken(email)!;
    fake().clock.advance(7 * 86_400_000 + 1);
    expect(await client.validateInvitation(first)).toMatchObject({
      valid: false,
      error: 'Invitation has expired',
    });
    await expect(client.acceptInvitation({ token: first, password: PASSWORD })).rejects.toSatisfy(
      badRequest('Invitation has expired'),
    );
    // The owner's access token has expired by now as well.
    const fresh = (await fake().issueTokens(owner.id)).accessToken;
    await client.resendInvitation(fresh, invitation.id);
    const second = fake().invitationToken(email)!;
    expect(second).not.toBe(first);
    expect((await client.validateInvitation(first)).error).toBe('Invalid invitation token');
    expect((await client.validateInvitation(second)).valid).toBe(true);
    await expect(client.acceptInvitation({ token: first, password: PASSWORD })).rejects.toSatisfy((e) =>
      ResourceNotFoundError.isInstance(e),
    );
  });

  it('revoke, the refusals and their permissions; an existing account joins without a new password', async () => {
    const a = await organisation();
    const b = await organisation();
    const email = freshEmail('revoked');
    const invitation = await a.client.createInvitation(a.ownerToken, { email });
    await expect(a.client.createInvitation(a.viewerToken, { email: freshEmail() })).rejects.toSatisfy(
      denied('Permission denied: users:create'),
    );
    await expect(a.client.revokeInvitation(a.viewerToken, invitation.id)).rejects.toSatisfy(
      denied('Permission denied: users:manage'),
    );
    expect(await a.client.listInvitations(a.viewerToken)).toHaveLength(1);
    await expect(a.client.revokeInvitation(b.ownerToken, invitation.id)).rejects.toSatisfy((e) =>
      ResourceNotFoundError.isInstance(e),
    );
    await expect(a.client.resendInvitation(b.ownerToken, invitation.id)).rejects.toSatisfy(
      badRequest('Invitation not found'),
    );
    await a.client.revokeInvitation(a.ownerToken, invitation.id);
    await expect(a.client.revokeInvitation(a.ownerToken, invitation.id)).rejects.toSatisfy(
      badRequest('Cannot revoke invitation with status: revoked'),
    );
    expect((await a.client.validateInvitation(fake().invitationToken(email)!)).error).toBe(
      'Invitation has been revoked',
    );
    await expect(a.client.createInvitation(a.ownerToken, { email: a.viewer.email })).rejects.toSatisfy(
      badRequest('User is already a member of this organization'),
    );

    // b's owner is invited to a: they join, keep their password and their primary organisation.
    await a.client.createInvitation(a.ownerToken, { email: b.owner.email, role: 'admin' });
    const joined = await a.client.acceptInvitation({
      token: fake().invitationToken(b.owner.email)!,
      password: 'Other-password-1',
    });
    expect(joined).toMatchObject({ isNewUser: false, organizationId: a.orgId, userId: b.owner.id });
    expect((await a.client.login({ email: b.owner.email, password: PASSWORD })).accessToken).toBeTruthy();
    await expect(a.client.createInvitation(a.ownerToken, { email: b.owner.email })).rejects.toSatisfy(
      badRequest('User is already a member of this organization'),
    );

    const before = fake().recorder.requests.length;
    await expect(a.client.acceptInvitation({ token: 'x', password: 'short' })).rejects.toSatisfy(
      refusedByClient,
    );
    await expect(a.client.validateInvitation('a b')).rejects.toSatisfy(refusedByClient);
    await expect(a.client.revokeInvitation(a.ownerToken, '1')).rejects.toSatisfy(refusedByClient);
    expect(fake().recorder.requests.length).toBe(before);
    await expect(a.client.listInvitations('bad-token')).rejects.toSatisfy((e) =>
      AuthenticationError.isInstance(e),
    );
  });
});
