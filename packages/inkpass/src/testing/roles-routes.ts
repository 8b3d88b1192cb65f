/**
 * The fake's role and permission-template routes (upstream `routes/roles.py` and `routes/templates.py`):
 * the four product templates as synced to the server, each with its owner, admin, developer and viewer
 * roles, the template applied to an organisation, and role assignment.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { detail, type FakeContext, iso, type StoredUser } from './context.ts';
import { type RoleTemplate, rolePermissions, type TemplateName } from './permissions.ts';

interface RoleInfo {
  name: RoleTemplate;
  display: string;
  description: string;
  priority: number;
  inherits: RoleTemplate | null;
}

interface TemplateInfo {
  id: string;
  name: TemplateName;
  productType: string;
  version: number;
  description: string;
  roles: Array<RoleInfo & { id: string }>;
}

/** The wire data of the templates upstream defines: product, version, description and its roles' texts. */
const DEFINITIONS: Array<[TemplateName, number, string, [owner: string, developer: string, viewer: string]]> =
  [
    [
      'INKPASS_SOLO',
      1,
      'InkPass standalone product for authentication and authorization',
      [
        'Full access to all InkPass features including billing',
        'Can create and manage resources, but cannot delete org-level items',
        'Read-only access to all resources',
      ],
    ],
    [
      'TENTACLE_SOLO',
      3,
      'Tentacle standalone product for workflow orchestration',
      [
        'Full access to all Tentacle features including billing',
        'Can create and execute workflows, agents, and tasks',
        'Read-only access to workflows and resources',
      ],
    ],
    [
      'MIMIC_SOLO',
      2,
      'Mimic standalone product for notification workflows',
      [
        'Full access to all Mimic features including billing',
        'Can create templates, send notifications, and manage workflows',
        'Read-only access to templates and delivery logs',
      ],
    ],
    [
      'AIOS_BUNDLE',
      4,
      'Full platform with all services',
      [
        'Full access to all platform features',
        'Can use all services but cannot manage org-level settings',
        'Read-only access across all services',
      ],
    ],
  ];

/** The template applied to an organisation. */
export interface AppliedTemplate {
  /** The organisation-template record's id. */
  id: string;
  /** Which template. */
  name: TemplateName;
  /** The version applied. */
  appliedVersion: number;
  /** Epoch ms. */
  appliedAt: number;
}

/** What the rest of the fake needs of the templates. */
export interface RoleRoutes {
  /** Applies a template to an organisation (at its current version). */
  apply(organizationId: string, name: TemplateName): void;
  /** The template an organisation has, if any. */
  templateOf(organizationId: string): TemplateName | undefined;
}

/** Registers the role and template routes on the context's app. */
export function registerRoleRoutes(ctx: FakeContext): RoleRoutes {
  const { app, clock } = ctx;
  const templates: TemplateInfo[] = DEFINITIONS.map(
    ([name, version, description, [owner, developer, viewer]]) => ({
      id: randomUUID(),
      name,
      productType: name.toLowerCase(),
      version,
      description,
      roles: (
        [
          { name: 'owner', display: 'Owner', description: owner, priority: 100, inherits: null },
          {
            name: 'admin',
            display: 'Administrator',
            description:
              name === 'AIOS_BUNDLE'
                ? 'Full access except billing management and platform admin'
                : 'Full access except billing management',
            priority: 80,
            inherits: 'developer',
          },
          {
            name: 'developer',
            display: 'Developer',
            description: developer,
            priority: 50,
            inherits: 'viewer',
          },
          { name: 'viewer', display: 'Viewer', description: viewer, priority: 10, inherits: null },
        ] satisfies RoleInfo[]
      ).map((role) => ({ ...role, id: randomUUID() })),
    }),
  );
  const applied = new Map<string, AppliedTemplate>();
  const templateOf = (organizationId: string) => applied.get(organizationId)?.name;
  const byName = (name: TemplateName | undefined) => templates.find((t) => t.name === name);

  const roleJson = (r: TemplateInfo['roles'][number]) => ({
    id: r.id,
    role_name: r.name,
    display_name: r.display,
    description: r.description,
    inherits_from: r.inherits,
    priority: r.priority,
  });
  /** The role record of a user's membership of their organisation, if it has a role template. */
  function roleOf(user: StoredUser | undefined, organizationId: string) {
    if (!user || user.organizationId !== organizationId || !user.membership.roleTemplate) return undefined;
    return byName(templateOf(organizationId) ?? 'AIOS_BUNDLE')?.roles.find(
      (r) => r.name === user.membership.roleTemplate,
    );
  }
  const userRole = (c: Context, userId: string, organizationId: string) => {
    const role = roleOf(ctx.users.get(userId), organizationId);
    return c.json({ user_id: userId, organization_id: organizationId, role: role ? roleJson(role) : null });
  };
  const permissionsOf = (userId: string, organizationId: string) => {
    const role = roleOf(ctx.users.get(userId), organizationId);
    return role ? rolePermissions(role.name, templateOf(organizationId)) : [];
  };

  // ---- roles (static paths before /users/:id, as FastAPI matches them in order) ----------------------
  app.get('/api/v1/roles', async (c) => {
    const user = await ctx.requireUser(c);
    if (user instanceof Response) return user;
    const template = byName(templateOf(user.organizationId));
    return c.json(template ? [...template.roles].sort((a, b) => b.priority - a.priority).map(roleJson) : []);
  });

  app.get('/api/v1/roles/users/me/permissions', async (c) => {
    const user = await ctx.requireUser(c);
    if (user instanceof Response) return user;
    // Only what the role template grants (inheritance included), as upstream's role service resolves it.
    return c.json(permissionsOf(user.id, user.organizationId));
  });

  app.get('/api/v1/roles/users/me', async (c) => {
    const user = await ctx.requireUser(c);
    if (user instanceof Response) return user;
    return userRole(c, user.id, user.organizationId);
  });

  // users:read and users:update are no template's pairs: only an owner or a direct grant passes.
  app.get('/api/v1/roles/users/:id/permissions', async (c) => {
    const user = await ctx.permitted(c, 'users', 'read');
    if (user instanceof Response) return user;
    return c.json(permissionsOf(c.req.param('id'), user.organizationId));
  });

  app.get('/api/v1/roles/users/:id', async (c) => {
    const user = await ctx.permitted(c, 'users', 'read');
    if (user instanceof Response) return user;
    return userRole(c, c.req.param('id'), user.organizationId);
  });

  app.put('/api/v1/roles/users/:id', async (c) => {
    const user = await ctx.permitted(c, 'users', 'update');
    if (user instanceof Response) return user;
    const body = await ctx.readJson(c);
    const missing = ctx.requireStrings(c, body, ['role']);
    if (missing) return missing;
    const name = body!['role'] as string;
    const orgId = user.organizationId;
    const role = byName(templateOf(orgId))?.roles.find((r) => r.name === name);
    if (!role) return detail(c, 400, `Role '${name}' not found for organization`);
    const target = ctx.users.get(c.req.param('id'));
    if (!target || target.organizationId !== orgId)
      return detail(c, 400, `User ${c.req.param('id')} is not a member of organization ${orgId}`);
    target.membership.role = role.name;
    target.membership.roleTemplate = role.name;
    return userRole(c, target.id, orgId);
  });

  // ---- templates ------------------------------------------------------------------------------------
  const templateJson = (t: TemplateInfo) => ({
    id: t.id,
    name: t.name,
    product_type: t.productType,
    version: t.version,
    description: t.description,
    is_active: true,
    role_count: t.roles.length,
  });
  const rolesByPriority = (t: TemplateInfo) =>
    [...t.roles].sort((a, b) => b.priority - a.priority).map(roleJson);

  app.get('/api/v1/templates', async (c) => {
    const user = await ctx.requireUser(c);
    if (user instanceof Response) return user;
    return c.json(templates.map(templateJson));
  });

  app.get('/api/v1/templates/organization/current', async (c) => {
    const user = await ctx.requireUser(c);
    if (user instanceof Response) return user;
    const current = applied.get(user.organizationId);
    if (!current) return c.json(null);
    const template = byName(current.name)!;
    return c.json({
      id: current.id,
      organization_id: user.organizationId,
      template_id: template.id,
      template_name: template.name,
      applied_version: current.appliedVersion,
      current_version: template.version,
      needs_update: template.version > current.appliedVersion,
      applied_at: iso(current.appliedAt),
    });
  });

  app.post('/api/v1/templates/organization/sync', async (c) => {
    const user = await ctx.requireUser(c);
    if (user instanceof Response) return user;
    const m = user.membership;
    if (m.role !== 'owner' && m.roleTemplate !== 'owner') return detail(c, 403, 'Owner role required');
    const current = applied.get(user.organizationId);
    if (!current) return detail(c, 404, 'No template applied to this organization');
    const latest = byName(current.name)!.version;
    if (current.appliedVersion >= latest)
      return c.json({
        message: 'Organization is already at latest version',
        version: current.appliedVersion,
      });
    current.appliedVersion = latest;
    return c.json({ message: 'Organization synced to latest template version', version: latest });
  });

  /** The template of the path, or 404. */
  async function templateFrom(c: Context): Promise<TemplateInfo | Response> {
    const user = await ctx.requireUser(c);
    if (user instanceof Response) return user;
    return templates.find((t) => t.id === c.req.param('id')) ?? detail(c, 404, 'Template not found');
  }

  app.get('/api/v1/templates/:id', async (c) => {
    const template = await templateFrom(c);
    if (template instanceof Response) return template;
    return c.json({ ...templateJson(template), roles: rolesByPriority(template) });
  });

  app.get('/api/v1/templates/:id/roles', async (c) => {
    const template = await templateFrom(c);
    return template instanceof Response ? template : c.json(rolesByPriority(template));
  });

  app.get('/api/v1/templates/:id/roles/:role/permissions', async (c) => {
    const user = await ctx.requireUser(c);
    if (user instanceof Response) return user;
    const name = c.req.param('role');
    const template = templates.find((t) => t.id === c.req.param('id'));
    const role = template?.roles.find((r) => r.name === name);
    if (!template || !role) return detail(c, 404, `Role '${name}' not found in template`);
    const inherited = c.req.query('include_inherited') !== 'false';
    return c.json(rolePermissions(role.name, template.name, inherited));
  });

  return {
    apply(organizationId, name) {
      applied.set(organizationId, {
        id: randomUUID(),
        name,
        appliedVersion: byName(name)!.version,
        appliedAt: clock.now(),
      });
    },
    templateOf,
  };
}
