/**
 * The action catalog of the broker's policy: which dotted actions are medium, high or critical
 * risk. Every other action is low risk.
 *
 * @module
 */

const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

/** Medium risk: one human approval (`leg.approval.approver_id`). */
export const MEDIUM_RISK_ACTIONS: ReadonlySet<string> = new Set(
  words(`crm.contact.update crm.contact.delete crm.lead.create crm.lead.convert crm.opportunity.update
  crm.account.update erp.order.create erp.order.update erp.order.cancel erp.invoice.create erp.invoice.void
  erp.purchase_order.create erp.purchase_order.approve hr.employee.view_limited hr.employee.update_contact
  hr.timesheet.approve hr.leave.approve hr.org_chart.update support.ticket.create support.ticket.update
  support.ticket.escalate support.ticket.reassign support.case.merge inventory.stock.adjust
  inventory.transfer.create inventory.count.submit warehouse.location.update catalog.product.update
  catalog.product.publish catalog.price.update catalog.category.update marketing.campaign.launch
  marketing.email.send_batch marketing.segment.update sharepoint.document.share_external teams.channel.create
  confluence.space.permission_update`),
);

/** High risk: dual control (two distinct approvers). */
export const HIGH_RISK_ACTIONS: ReadonlySet<string> = new Set(
  words(`sap.vendor.create sap.vendor.change sap.vendor.bank_change sap.payment.execute
  sap.payment.batch_release sap.goods_receipt.post sap.invoice.post sap.journal_entry.post
  sap.cost_center.create sap.gl_account.create erp.payment.process erp.payment.batch erp.refund.process
  erp.credit_note.issue finance.wire_transfer.execute finance.ach.batch_submit finance.fx.trade_execute
  salesforce.bulk.export salesforce.bulk.delete salesforce.bulk.update salesforce.apex.execute
  salesforce.permission_set.assign salesforce.profile.modify salesforce.report.export_all
  crm.contacts.bulk_delete crm.contacts.bulk_export crm.accounts.bulk_merge crm.data.mass_update
  hr.employee.export_pii hr.employee.terminate hr.payroll.run hr.payroll.adjust hr.compensation.change
  hr.ssn.view hr.bank_details.update customer.data.export customer.data.bulk_delete customer.pii.access
  customer.gdpr.erasure customer.ccpa.export iam.role.assign iam.role.create iam.permission.grant
  iam.user.create_admin iam.mfa.disable iam.api_key.create iam.service_account.create azure.ad.group_add
  azure.ad.role_assign okta.user.unlock okta.factor.reset aws.iam.policy_attach aws.s3.bucket_policy
  aws.ec2.security_group_modify azure.rbac.assign azure.keyvault.secret_set gcp.iam.binding_add
  k8s.rbac.clusterrole_bind k8s.secret.create ot.system.manual_override ot.safety.interlock_bypass
  scada.setpoint.change scada.alarm.acknowledge_critical plc.program.upload hmi.mode.change_to_manual
  servicenow.change.emergency_approve servicenow.incident.priority1_create servicenow.cmdb.bulk_update
  workday.worker.terminate workday.compensation.change workday.org.restructure dynamics.entity.bulk_delete
  dynamics.workflow.deactivate dynamics.security_role.assign`),
);

/** Critical risk: executive control (two approvers with executive roles). */
export const CRITICAL_RISK_ACTIONS: ReadonlySet<string> = new Set(
  words(`org.company.dissolve org.company.merge org.company.acquire org.division.spin_off
  org.restructure.major finance.wire.over_10m finance.loan.major_facility finance.bond.issuance
  finance.stock.buyback finance.dividend.declare treasury.investment.major treasury.hedge.significant
  legal.settlement.major legal.litigation.initiate_major compliance.regulator.filing_major
  compliance.violation.disclose data.customer.full_export data.employee.full_export
  data.company.full_backup_restore gdpr.breach.notify data.encryption_keys.export
  infra.datacenter.decommission infra.cloud.region_migrate infra.network.core_change
  infra.disaster_recovery.invoke security.root.access security.master_key.rotate security.audit.disable
  security.encryption.disable security.firewall.disable ot.safety.system_shutdown ot.emergency.stop_all
  ot.reactor.scram ot.pipeline.emergency_shutoff`),
);

/**
 * Low risk and callable without a PoA when the broker allows unmandated low-risk calls; the value lists
 * the methods allowed that way (default GET).
 */
export const LOW_RISK_ALLOWLIST: ReadonlyMap<string, readonly string[]> = new Map(
  words(`system.health.check system.status.get system.version.get system.config.read kb.faq.query:GET,POST
  kb.docs.search:GET,POST kb.article.read reporting.dashboard.view reporting.metrics.get report.sales.summary
  report.inventory.status report.support.metrics analytics.dashboard.view agent.self.capabilities
  agent.self.identity crm.contact.read crm.contact.list crm.lead.read crm.lead.list crm.opportunity.read
  crm.opportunity.list crm.account.read crm.account.list erp.order.read erp.order.list erp.invoice.read
  erp.purchase_order.read erp.product.read erp.vendor.read erp.customer.read hr.org_chart.read
  hr.department.list hr.job_posting.read hr.holiday.list support.ticket.read support.ticket.list
  support.kb.search:GET,POST support.kb.read inventory.stock.read inventory.location.list warehouse.status.read
  catalog.product.read catalog.product.list catalog.category.list catalog.price.read sharepoint.document.read
  sharepoint.list.read teams.channel.list teams.message.read`).map((entry) => {
    const [name, methods] = entry.split(':') as [string, string | undefined];
    return [name, methods ? methods.split(',') : ['GET']];
  }),
);

/** Roles that count for executive control (compared ignoring case). */
export const EXECUTIVE_ROLES: ReadonlySet<string> = new Set(
  words('ceo cfo coo cto ciso board_member general_counsel chief_risk_officer'),
);

/** AgentAuth's default `DUAL_CONTROL_ACTIONS`: challenges for these always need two approvers. */
export const DEFAULT_DUAL_CONTROL_ACTIONS: readonly string[] = [
  'sap.vendor.change',
  'iam.privilege.escalate',
  'payments.transfer.execute',
  'ot.system.manual_override',
];
