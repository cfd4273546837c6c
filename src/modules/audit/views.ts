import { Type } from '@sinclair/typebox';

/** An audit log entry as the API shows it. */
export const AuditEntry = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  actor_id: Type.Union([Type.String(), Type.Null()], { description: 'The operator; null for the system (a scheduled job)' }),
  actor: Type.Union([Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() }), Type.Null()], { description: 'Who acted; null for the system' }),
  action: Type.String({
    description:
      'e.g. `link_policy.set`, `link_policy.cutover`, `external_anchor.deactivated`, `video.caption_flagged`, `market.edit`, `invitation.create`, `application.approve`, ' +
      '`commission_rule.create`, `payout_hold.set`, `fulfillment_flag.clear`, `case.decide`, `supply_offer.accept`, `inbound.receive`, `shipment.create`, `product.update`, `payouts.run`',
  }),
  target_type: Type.String(),
  target_id: Type.String(),
  data: Type.Unknown({ description: 'What changed; `reason` carries the operator\'s why where the action takes one' }),
});
