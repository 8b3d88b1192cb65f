/**
 * The fake's administration routes, as upstream's `routes/users.py`, `groups.py`, `organizations.py` and
 * `invitations.py` answer them: the same permissions (checked before the body, as FastAPI runs
 * `Depends(require_permission(…))` first), statuses, `detail` texts and quirks. Invitation tokens expire on
 * the fake's clock.
 *
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import { base64UrlEncode, randomBytes } from '@x/crypto';
import type { Context } from 'hono';
import { ORG_NAME_PATTERN } from '../validation.ts';
import { checkedName, detail, type FakeContext, iso, type StoredUser, unprocessable } from './context.ts';
import type { RoleTemplate } from './permissions.ts';

const INVITATION_TTL_MS = 7 * 24 * 3600_000;
const ACCESS_TTL_S = 30 * 60;
const TEMPLATES: readonly RoleTemplate[] = ['owner', 'admin', 'developer', 'viewer'];

interface StoredInvitation {
  id: string;
  organizationId: string;
  email: string;
  role: string;
  tokenHash: string;
  invitedBy: string;
  status: string;
  expiresAt: number;
  createdAt: number;
}

/** What the fake's API needs of the admin routes. */
export interface AdminRoutes {
  /** The latest invitation token mailed to `email` (lower-cased). */
  invitationToken(email: string): string | undefined;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** Registers the administration routes on the context's app. */
export function registerAdminRoutes(ctx: FakeContext): AdminRoutes {
  const { app, clock, users, orgs, groups } = ctx;
  const invitations = new Map<string, StoredInvitation>();
  const mailedTokens = new Map<string, string>();

  /** A path id that names a stored record of the caller's organisation, or upstream's 403 "Access denied". */
  function sameOrg<T extends { organizationId: string }>(c: Context, found: T | undefined, user: StoredUser) {
    return found && found.organizationId === user.organizationId ? found : detail(c, 403, 'Access denied');
  }

  const userJson = (u: StoredUser) => ({
    id: u.id,
    email: u.email,
    first_name: u.firstName,
    last_name: u.lastName,
    status: u.status,
  });

  /** The optional string fields of a body, or the 422 of the first that is not a string. */
  function optionalStrings(c: Context, body: Record<string, unknown> | undefined, names: string[]) {
    if (!body) return unprocessable(c, ['body'], 'Input should be a valid dictionary', 'dict_type');
    for (const name of names)
      if (body[name] !== undefined && body[name] !== null && typeof body[name] !== 'string')
        return unprocessable(c, ['body', name], 'Input should be a valid string', 'string_type');
    return undefined;
  }

  // ---- users ----------------------------------------------------------------------------------------
  app.get('/api/v1/users', async (c) => {
    const user = await ctx.permitted(c, 'users', 'view');
    if (user instanceof Response) return user;
    return c.json([...users.values()].filter((u) => u.organizationId === user.organizationId).map(userJson));
  });

  app.post('/api/v1/users', async (c) => {
    const user = await ctx.permitted(c, 'users', 'create');
    if (user instanceof Response) return user;
    const body = await ctx.readJson(c);
    const missing = ctx.requireStrings(c, body, ['email', 'password']);
    if (missing) return missing;
    const email = ctx.validEmail(c, body!['email'] as string);
    if (email instanceof Response) return email;
    if (ctx.userByEmail(email)) return detail(c, 400, 'User with this email already exists');
    // Upstream creates the user without a membership, names or a password check: no role, direct grants only.
    const created: StoredUser = {
      id: randomUUID(),
      email,
      firstName: null,
      lastName: null,
      organizationId: user.organizationId,
      status: 'active',
      twoFaSecret: null,
      passwordHash: ctx.hashPassword(body!['password'] as string),
      membership: { organizationId: user.organizationId, role: '' },
    };
    users.set(created.id, created);
    return c.json(userJson(created), 201);
  });

  app.get('/api/v1/users/:id', async (c) => {
    const user = await ctx.permitted(c, 'users', 'view');
    if (user instanceof Response) return user;
    const target = users.get(c.req.param('id'));
    if (!target) return detail(c, 404, 'User not found');
    if (target.organizationId !== user.organizationId) return detail(c, 403, 'Access denied');
    return c.json({ ...userJson(target), two_fa_enabled: target.twoFaSecret !== null });
  });

  app.patch('/api/v1/users/:id', async (c) => {
    const user = await ctx.permitted(c, 'users', 'manage');
    if (user instanceof Response) return user;
    const body = await ctx.readJson(c);
    const bad = optionalStrings(c, body, ['email', 'status']);
    if (bad) return bad;
    let email: string | undefined;
    if (typeof body!['email'] === 'string') {
      const valid = ctx.validEmail(c, body!['email']);
      if (valid instanceof Response) return valid;
      email = valid;
    }
    const target = sameOrg(c, users.get(c.req.param('id')), user);
    if (target instanceof Response) return target;
    if (email) {
      const holder = ctx.userByEmail(email);
      if (holder && holder.id !== target.id) return detail(c, 400, 'Email already in use');
      target.email = email;
    }
    if (body!['status']) target.status = body!['status'] as string;
    return c.json(userJson(target));
  });

  app.delete('/api/v1/users/:id', async (c) => {
    const user = await ctx.permitted(c, 'users', 'delete');
    if (user instanceof Response) return user;
    const target = sameOrg(c, users.get(c.req.param('id')), user);
    if (target instanceof Response) return target;
    // A soft delete: the account stays, its tokens stop working (only active users authenticate).
    target.status = 'deleted';
    return c.json({ message: 'User deleted successfully' });
  });

  app.get('/api/v1/users/:id/permissions', async (c) => {
    const user = await ctx.permitted(c, 'users', 'view');
    if (user instanceof Response) return user;
    const target = users.get(c.req.param('id'));
    if (!target) return detail(c, 404, 'User not found');
    if (target.organizationId !== user.organizationId) return detail(c, 403, 'Access denied');
    const granted = [...(ctx.directGrants.get(target.id) ?? [])].flatMap((id) => {
      const p = ctx.permissions.get(id);
      return p ? [{ id: p.id, resource: p.resource, action: p.action, conditions: p.conditions }] : [];
    });
    return c.json({ user_id: target.id, email: target.email, permissions: granted });
  });

  // ---- groups ---------------------------------------------------------------------------------------
  const groupJson = (g: { id: string; name: string; description: string | null }) => ({
    id: g.id,
    name: g.name,
    description: g.description,
  });

  app.get('/api/v1/groups', async (c) => {
    const user = await ctx.requireUser(c);
    if (user instanceof Response) return user;
    return c.json(
      [...groups.values()].filter((g) => g.organizationId === user.organizationId).map(groupJson),
    );
  });

  app.post('/api/v1/groups', async (c) => {
    const user = await ctx.permitted(c, 'groups', 'create');
    if (user instanceof Response) return user;
    const body = await ctx.readJson(c);
    const missing = ctx.requireStrings(c, body, ['name']) ?? optionalStrings(c, body, ['description']);
    if (missing) return missing;
    const name = body!['name'] as string;
    if ([...groups.values()].some((g) => g.organizationId === user.organizationId && g.name === name))
      return detail(c, 400, 'Group with this name already exists in organization');
    const group = {
      id: randomUUID(),
      organizationId: user.organizationId,
      name,
      description: (body!['description'] as string | null | undefined) ?? null,
      members: new Set<string>(),
      permissions: new Set<string>(),
    };
    groups.set(group.id, group);
    return c.json(groupJson(group), 201);
  });

  app.patch('/api/v1/groups/:id', async (c) => {
    const user = await ctx.permitted(c, 'groups', 'manage');
    if (user instanceof Response) return user;
    const body = await ctx.readJson(c);
    const bad = optionalStrings(c, body, ['name', 'description']);
    if (bad) return bad;
    const group = sameOrg(c, groups.get(c.req.param('id')), user);
    if (group instanceof Response) return group;
    const name = body!['name'] as string | undefined;
    if (name) {
      const taken = [...groups.values()].some(
        (g) => g.organizationId === group.organizationId && g.name === name && g.id !== group.id,
      );
      if (taken) return detail(c, 400, 'Group with this name already exists');
      group.name = name;
    }
    if (typeof body!['description'] === 'string') group.description = body!['description'];
    return c.json(groupJson(group));
  });

  app.delete('/api/v1/groups/:id', async (c) => {
    const user = await ctx.permitted(c, 'groups', 'delete');
    if (user instanceof Response) return user;
    const group = sameOrg(c, groups.get(c.req.param('id')), user);
    if (group instanceof Response) return group;
    groups.delete(group.id);
    return c.json({ message: 'Group deleted successfully' });
  });

  // Upstream checks that the user and the group share an organisation, not that it is the caller's.
  app.post('/api/v1/groups/:id/members/:userId', async (c) => {
    const user = await ctx.permitted(c, 'groups', 'manage');
    if (user instanceof Response) return user;
    const group = groups.get(c.req.param('id'));
    const member = users.get(c.req.param('userId'));
    if (!group || !member) return detail(c, 404, 'Group or user not found');
    if (member.organizationId !== group.organizationId)
      return detail(c, 400, 'User and group must belong to same organization');
    group.members.add(member.id);
    return c.json({ message: 'User added to group successfully' });
  });

  app.delete('/api/v1/groups/:id/members/:userId', async (c) => {
    const user = await ctx.permitted(c, 'groups', 'manage');
    if (user instanceof Response) return user;
    const group = groups.get(c.req.param('id'));
    const userId = c.req.param('userId');
    if (!group || !users.has(userId) || !group.members.delete(userId))
      return detail(c, 404, 'Group, user, or membership not found');
    return c.json({ message: 'User removed from group successfully' });
  });

  // ---- organizations --------------------------------------------------------------------------------
  const settings = new Map<string, Record<string, unknown>>();

  const orgNameProblem = (value: string) => checkedName(value, 'Organization name', 100, ORG_NAME_PATTERN);

  app.get('/api/v1/organizations', async (c) => {
    const user = await ctx.requireUser(c);
    if (user instanceof Response) return user;
    const org = orgs.get(user.organizationId);
    return c.json(org ? [{ id: org.id, name: org.name, slug: org.slug }] : []);
  });

  // No permission dependency here: the body is validated (422) before the route asks for a user (401).
  app.post('/api/v1/organizations', async (c) => {
    const body = await ctx.readJson(c);
    const missing = ctx.requireStrings(c, body, ['name']) ?? optionalStrings(c, body, ['slug']);
    if (missing) return missing;
    const name = orgNameProblem(body!['name'] as string);
    if (typeof name === 'object') return unprocessable(c, ['body', 'name'], name.error);
    const user = await ctx.requireUser(c);
    if (user instanceof Response) return user;
    const slug = (body!['slug'] as string | undefined) || name.toLowerCase().replaceAll(' ', '-');
    if ([...orgs.values()].some((o) => o.slug === slug))
      return detail(c, 400, 'Organization with this slug already exists');
    // As upstream: the caller does not become a member of the new organisation.
    const org = ctx.createOrganization(name, slug);
    return c.json({ id: org.id, name: org.name, slug: org.slug }, 201);
  });

  app.get('/api/v1/organizations/:id', async (c) => {
    const user = await ctx.requireUser(c);
    if (user instanceof Response) return user;
    const org = orgs.get(c.req.param('id'));
    if (!org) return detail(c, 404, 'Organization not found');
    if (org.id !== user.organizationId) return detail(c, 403, 'Access denied');
    return c.json({
      id: org.id,
      name: org.name,
      slug: org.slug,
      settings: settings.get(org.id) ?? {},
      plan_id: null,
    });
  });

  app.patch('/api/v1/organizations/:id', async (c) => {
    const user = await ctx.permitted(c, 'organization', 'manage');
    if (user instanceof Response) return user;
    const body = await ctx.readJson(c);
    const bad = optionalStrings(c, body, ['name']);
    if (bad) return bad;
    let name: string | undefined;
    if (typeof body!['name'] === 'string') {
      const checked = orgNameProblem(body!['name']);
      if (typeof checked === 'object') return unprocessable(c, ['body', 'name'], checked.error);
      name = checked;
    }
    const given = body!['settings'];
    if (given !== undefined && given !== null && (typeof given !== 'object' || Array.isArray(given)))
      return unprocessable(c, ['body', 'settings'], 'Input should be a valid dictionary', 'dict_type');
    const id = c.req.param('id');
    if (id !== user.organizationId) return detail(c, 403, 'Access denied');
    const org = orgs.get(id);
    if (!org) return detail(c, 404, 'Organization not found');
    if (name) org.name = name;
    if (given) settings.set(org.id, given as Record<string, unknown>);
    return c.json({ id: org.id, name: org.name, slug: org.slug, settings: settings.get(org.id) ?? {} });
  });

  app.get('/api/v1/organizations/:id/members', async (c) => {
    const user = await ctx.permitted(c, 'users', 'view');
    if (user instanceof Response) return user;
    const id = c.req.param('id');
    if (id !== user.organizationId) return detail(c, 403, 'Access denied');
    return c.json(
      [...users.values()]
        .filter((u) => u.organizationId === id)
        .map((u) => ({ id: u.id, email: u.email, status: u.status, role: u.membership.role || 'member' })),
    );
  });

  // ---- invitations ----------------------------------------------------------------------------------
  const invitationJson = (i: StoredInvitation) => ({
    id: i.id,
    email: i.email,
    role: i.role,
    status: i.status,
    invited_by_email: users.get(i.invitedBy)?.email ?? null,
    expires_at: iso(i.expiresAt),
    created_at: iso(i.createdAt),
  });

  const isMember = (userId: string, organizationId: string) =>
    users.get(userId)?.organizationId === organizationId ||
    ctx.extraMemberships.some((m) => m.userId === userId && m.organizationId === organizationId);

  /** A new token for the invitation, "mailed" to the invitee. */
  function mailToken(invitation: StoredInvitation): void {
    const token = base64UrlEncode(randomBytes(32));
    invitation.tokenHash = hashOf(token);
    mailedTokens.set(invitation.email, token);
  }

  /** Upstream's `validate_invitation`: why the invitation cannot be used, or undefined. */
  function unusable(i: StoredInvitation): string | undefined {
    if (i.status === 'accepted') return 'Invitation has already been used';
    if (i.status === 'revoked') return 'Invitation has been revoked';
    if (i.status === 'expired' || clock.now() > i.expiresAt) return 'Invitation has expired';
    if (i.status !== 'pending') return `Invalid invitation status: ${i.status}`;
    return undefined;
  }

  const byToken = (token: string) => [...invitations.values()].find((i) => i.tokenHash === hashOf(token));

  /** The role template an invitee gets: their role's in the organisation's template, if it has one. */
  const templateFor = (organizationId: string, role: string): RoleTemplate | undefined =>
    ctx.templateOf(organizationId) && (TEMPLATES as readonly string[]).includes(role)
      ? (role as RoleTemplate)
      : undefined;

  app.post('/api/v1/invitations', async (c) => {
    const user = await ctx.permitted(c, 'users', 'create');
    if (user instanceof Response) return user;
    const body = await ctx.readJson(c);
    const missing = ctx.requireStrings(c, body, ['email']) ?? optionalStrings(c, body, ['role']);
    if (missing) return missing;
    const valid = ctx.validEmail(c, body!['email'] as string);
    if (valid instanceof Response) return valid;
    const email = valid.toLowerCase().trim();
    const existing = ctx.userByEmail(email);
    if (existing && isMember(existing.id, user.organizationId))
      return detail(c, 400, 'User is already a member of this organization');
    for (const i of invitations.values()) {
      if (i.organizationId !== user.organizationId || i.email !== email || i.status !== 'pending') continue;
      if (i.expiresAt > clock.now())
        return detail(c, 400, 'An invitation has already been sent to this email');
      i.status = 'expired';
    }
    const invitation: StoredInvitation = {
      id: randomUUID(),
      organizationId: user.organizationId,
      email,
      role: (body!['role'] as string | undefined) ?? 'member',
      tokenHash: '',
      invitedBy: user.id,
      status: 'pending',
      expiresAt: clock.now() + INVITATION_TTL_MS,
      createdAt: clock.now(),
    };
    mailToken(invitation);
    invitations.set(invitation.id, invitation);
    return c.json(invitationJson(invitation), 201);
  });

  app.get('/api/v1/invitations', async (c) => {
    const user = await ctx.permitted(c, 'users', 'view');
    if (user instanceof Response) return user;
    const status = c.req.query('status_filter');
    return c.json(
      [...invitations.values()]
        .filter((i) => i.organizationId === user.organizationId && (!status || i.status === status))
        .sort((a, b) => b.createdAt - a.createdAt)
        .map(invitationJson),
    );
  });

  app.get('/api/v1/invitations/validate/:token', (c) => {
    const invitation = byToken(c.req.param('token'));
    const none = { email: null, role: null, organization_name: null };
    if (!invitation) return c.json({ valid: false, ...none, error: 'Invalid invitation token' });
    const problem = unusable(invitation);
    if (problem) return c.json({ valid: false, ...none, error: problem });
    return c.json({
      valid: true,
      email: invitation.email,
      role: invitation.role,
      organization_name: orgs.get(invitation.organizationId)?.name ?? 'Organization',
      error: null,
    });
  });

  app.post('/api/v1/invitations/accept', async (c) => {
    const body = await ctx.readJson(c);
    const missing = ctx.requireStrings(c, body, ['token', 'password']);
    if (missing) return missing;
    const invitation = byToken(body!['token'] as string);
    if (!invitation) return detail(c, 404, 'Invalid invitation token');
    const problem = unusable(invitation);
    if (problem) return detail(c, 400, problem);
    const password = body!['password'] as string;
    if ([...password].length < 8) return detail(c, 400, 'Password must be at least 8 characters');
    const orgId = invitation.organizationId;
    const roleTemplate = templateFor(orgId, invitation.role);
    const membership = {
      organizationId: orgId,
      role: invitation.role,
      ...(roleTemplate ? { roleTemplate } : {}),
    };
    let user = ctx.userByEmail(invitation.email);
    const isNewUser = !user;
    if (user) {
      // An existing account joins as a second, non-primary membership; its password stays as it was.
      if (isMember(user.id, orgId)) return detail(c, 400, 'User is already a member of this organization');
      ctx.extraMemberships.push({ userId: user.id, ...membership });
    } else {
      user = {
        id: randomUUID(),
        email: invitation.email,
        firstName: null,
        lastName: null,
        organizationId: orgId,
        status: 'active',
        twoFaSecret: null,
        passwordHash: ctx.hashPassword(password),
        membership,
      };
      users.set(user.id, user);
    }
    invitation.status = 'accepted';
    // Upstream signs these without a session id, so inkPass itself refuses them: log in with the password.
    const claims = { email: user.email, organization_id: orgId };
    return c.json({
      access_token: await ctx.sign(user.id, claims, ACCESS_TTL_S),
      refresh_token: await ctx.sign(user.id, { ...claims, type: 'refresh' }, 7 * 24 * 3600),
      token_type: 'bearer',
      expires_in: ACCESS_TTL_S,
      user_id: user.id,
      email: user.email,
      organization_id: orgId,
      role: invitation.role,
      is_new_user: isNewUser,
    });
  });

  app.delete('/api/v1/invitations/:id', async (c) => {
    const user = await ctx.permitted(c, 'users', 'manage');
    if (user instanceof Response) return user;
    const invitation = invitations.get(c.req.param('id'));
    if (!invitation || invitation.organizationId !== user.organizationId)
      return detail(c, 404, 'Invitation not found');
    if (invitation.status !== 'pending')
      return detail(c, 400, `Cannot revoke invitation with status: ${invitation.status}`);
    invitation.status = 'revoked';
    return c.json({ message: 'Invitation revoked successfully' });
  });

  app.post('/api/v1/invitations/:id/resend', async (c) => {
    const user = await ctx.permitted(c, 'users', 'create');
    if (user instanceof Response) return user;
    const invitation = invitations.get(c.req.param('id'));
    // Upstream raises a ValueError here, so an unknown id is a 400, not a 404.
    if (!invitation || invitation.organizationId !== user.organizationId)
      return detail(c, 400, 'Invitation not found');
    if (invitation.status === 'accepted') return detail(c, 400, 'Cannot resend accepted invitation');
    mailToken(invitation);
    invitation.status = 'pending';
    invitation.expiresAt = clock.now() + INVITATION_TTL_MS;
    return c.json({ message: 'Invitation resent successfully' });
  });

  return { invitationToken: (email) => mailedTokens.get(email) };
}
