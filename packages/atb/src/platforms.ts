/**
 * Platform-connector action names (Microsoft Copilot, Salesforce Agentforce, SAP Joule) mapped to the dotted
 * action ids the broker and AgentAuth use. The upstream README writes them `object:verb` (`calendar:create`),
 * the upstream connectors `object.verb`; both spellings are accepted. The tables are the upstream
 * connectors' `ACTION_MAP`s; a name they do not list gets the platform's prefix, as upstream does.
 *
 * @module
 */
import { AtbError } from './errors.ts';

/** The platforms with upstream connectors. */
export type Platform = 'copilot' | 'salesforce' | 'sap';

/** Copilot (Microsoft 365, Dynamics) plugin actions and their ATB actions. */
export const COPILOT_ACTIONS: Readonly<Record<string, string>> = Object.freeze({
  'dynamics.contact.read': 'crm.contact.read',
  'dynamics.contact.update': 'crm.contact.update',
  'dynamics.contact.create': 'crm.contact.create',
  'dynamics.contact.delete': 'crm.contact.delete',
  'dynamics.opportunity.read': 'crm.opportunity.read',
  'dynamics.opportunity.update': 'crm.opportunity.update',
  'dynamics.opportunity.close': 'crm.opportunity.close',
  'dynamics.vendor.read': 'erp.vendor.read',
  'dynamics.vendor.create': 'erp.vendor.create',
  'dynamics.vendor.bank_change': 'erp.vendor.bank_change',
  'dynamics.payment.approve': 'erp.payment.approve',
  'dynamics.journal.post': 'erp.journal.post',
  'sharepoint.file.read': 'docs.file.read',
  'sharepoint.file.write': 'docs.file.write',
  'sharepoint.file.share': 'docs.file.share',
  'teams.message.send': 'comms.message.send',
  'teams.meeting.schedule': 'comms.meeting.schedule',
  'power.flow.trigger': 'automation.flow.trigger',
  'power.app.invoke': 'automation.app.invoke',
  'graph.user.read': 'identity.user.read',
  'graph.group.read': 'identity.group.read',
  'graph.mail.send': 'comms.email.send',
});

/** Salesforce Agentforce actions and their ATB actions. */
export const SALESFORCE_ACTIONS: Readonly<Record<string, string>> = Object.freeze({
  'opportunity.read': 'crm.opportunity.read',
  'opportunity.create': 'crm.opportunity.create',
  'opportunity.update': 'crm.opportunity.update',
  'opportunity.close': 'crm.opportunity.close',
  'opportunity.delete': 'crm.opportunity.delete',
  'account.read': 'crm.account.read',
  'account.create': 'crm.account.create',
  'account.update': 'crm.account.update',
  'contact.read': 'crm.contact.read',
  'contact.create': 'crm.contact.create',
  'contact.update': 'crm.contact.update',
  'contact.delete': 'crm.contact.delete',
  'case.read': 'support.case.read',
  'case.create': 'support.case.create',
  'case.update': 'support.case.update',
  'case.close': 'support.case.close',
  'case.escalate': 'support.case.escalate',
  'contract.read': 'legal.contract.read',
  'contract.create': 'legal.contract.create',
  'contract.activate': 'legal.contract.activate',
  'contract.amend': 'legal.contract.amend',
  'contract.terminate': 'legal.contract.terminate',
  'order.create': 'commerce.order.create',
  'order.activate': 'commerce.order.activate',
  'quote.create': 'commerce.quote.create',
  'quote.approve': 'commerce.quote.approve',
  'invoice.create': 'billing.invoice.create',
  'credit.issue': 'billing.credit.issue',
  'refund.process': 'billing.refund.process',
  'article.read': 'knowledge.article.read',
  'article.create': 'knowledge.article.create',
  'article.publish': 'knowledge.article.publish',
});

/** SAP Joule (S/4HANA, Ariba) actions and their ATB actions. */
export const SAP_ACTIONS: Readonly<Record<string, string>> = Object.freeze({
  'vendor.read': 'sap.vendor.read',
  'vendor.create': 'sap.vendor.create',
  'vendor.update': 'sap.vendor.update',
  'vendor.bank_change': 'sap.vendor.bank_change',
  'vendor.block': 'sap.vendor.block',
  'payment.create': 'sap.payment.create',
  'payment.approve': 'sap.payment.approve',
  'payment.release': 'sap.payment.release',
  'journal.post': 'sap.journal.post',
  'journal.reverse': 'sap.journal.reverse',
  'po.create': 'sap.po.create',
  'po.approve': 'sap.po.approve',
  'po.release': 'sap.po.release',
  'pr.create': 'sap.pr.create',
  'pr.approve': 'sap.pr.approve',
  'gr.post': 'sap.gr.post',
  'ir.post': 'sap.ir.post',
  'material.read': 'sap.material.read',
  'material.create': 'sap.material.create',
  'material.update': 'sap.material.update',
  'stock.transfer': 'sap.stock.transfer',
  'stock.adjustment': 'sap.stock.adjustment',
  'employee.read': 'sap.hcm.employee.read',
  'employee.update': 'sap.hcm.employee.update',
  'payroll.run': 'sap.hcm.payroll.run',
  'compensation.change': 'sap.hcm.compensation.change',
  'sales_order.create': 'sap.sd.order.create',
  'sales_order.change': 'sap.sd.order.change',
  'delivery.create': 'sap.sd.delivery.create',
  'billing.create': 'sap.sd.billing.create',
  'ariba.contract.create': 'sap.ariba.contract.create',
  'ariba.contract.approve': 'sap.ariba.contract.approve',
  'ariba.sourcing.award': 'sap.ariba.sourcing.award',
});

const TABLES: Record<Platform, Readonly<Record<string, string>>> = {
  copilot: COPILOT_ACTIONS,
  salesforce: SALESFORCE_ACTIONS,
  sap: SAP_ACTIONS,
};

// Lower-case words of letters, digits and `_`, joined by `:` or `.`: nothing that could smuggle another
// separator, a path or whitespace into the action id.
const NAME = /^[a-z0-9_]+(?:[.:][a-z0-9_]+)+$/;

/**
 * The ATB action id of a platform connector's action: `calendar:create` (the upstream README's spelling) or
 * `calendar.create`; the connector's table first (`opportunity:update` on Salesforce is
 * `crm.opportunity.update`), else the platform's prefix (`copilot.calendar.create`).
 *
 * @example
 * ```ts
 * const result = await client.authorize(platformAction('salesforce', 'opportunity:update'), { reason });
 * ```
 * @throws {AtbError} `invalid_input` for an unknown platform or a name that is not `object:verb` words.
 */
export function platformAction(platform: Platform, action: string): string {
  const table = Object.hasOwn(TABLES, platform) ? TABLES[platform] : undefined;
  if (!table)
    throw new AtbError(
      `platformAction: unknown platform ${JSON.stringify(platform)}; use one of ${Object.keys(TABLES).join(', ')}.`,
      { code: 'invalid_input' },
    );
  const name = typeof action === 'string' ? action.trim().toLowerCase() : '';
  if (!NAME.test(name))
    throw new AtbError(
      `platformAction: ${JSON.stringify(action)} is not an action name such as "calendar:create".`,
      { code: 'invalid_input' },
    );
  const dotted = name.replaceAll(':', '.');
  return Object.hasOwn(table, dotted) ? table[dotted]! : `${platform}.${dotted}`;
}
