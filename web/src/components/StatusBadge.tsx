import { useTranslation } from 'react-i18next';

const TONES: Record<string, 'ok' | 'bad' | 'warn' | 'info' | 'neutral'> = {
  paid: 'ok',
  delivered: 'ok',
  completed: 'ok',
  succeeded: 'ok',
  ready: 'ok',
  live: 'ok',
  active: 'ok',
  shipped: 'info',
  processing: 'info',
  pending_payment: 'warn',
  awaiting_verification: 'warn',
  requires_action: 'warn',
  draft: 'neutral',
  cancelled: 'bad',
  declined: 'bad',
  failed: 'bad',
  suspended: 'bad',
  refunded: 'neutral',
  partially_refunded: 'neutral',
  label_created: 'neutral',
  picked_up: 'info',
  in_transit: 'info',
  out_for_delivery: 'info',
  exception: 'bad',
  requested: 'warn',
  seller_accepted: 'info',
  seller_rejected: 'bad',
  escalated: 'warn',
  return_shipped: 'info',
  return_received: 'info',
  resolved_buyer: 'ok',
  resolved_seller: 'neutral',
  closed: 'neutral',
  open: 'warn',
  cleared: 'ok',
  submitted: 'warn',
  in_review: 'info',
  needs_info: 'warn',
  approved: 'ok',
  rejected: 'bad',
  expired: 'neutral',
  revoked: 'bad',
  used_up: 'neutral',
  accepted: 'ok',
  expected: 'info',
  received: 'ok',
  received_with_discrepancies: 'warn',
};

type Kind = 'orderStatus' | 'videoStatus' | 'productStatus' | 'paymentStatus' | 'shipmentStatus' | 'caseStatus' | 'applicationStatus' | 'invitationStatus' | 'offerStatus' | 'inboundStatus' | 'payoutStatus';

/** A coloured status label; `kind` picks the catalog section (orderStatus, videoStatus, …). */
export function StatusBadge({ kind, status }: { kind: Kind; status: string }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge--${TONES[status] ?? 'neutral'}`} data-status={status} data-testid={`${kind}-badge`}>
      {t(`${kind}.${status}`, { defaultValue: status })}
    </span>
  );
}
