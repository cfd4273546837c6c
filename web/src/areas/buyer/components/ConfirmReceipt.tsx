import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { commerce, newIdempotencyKey, type Order } from '../../../lib/commerce';
import { keys } from '../../../api/keys';

/**
 * The buyer's side of delivery: while the order is on its way, "Confirm receipt" (after a
 * confirmation dialog) delivers it; once delivered, what the buyer can now do.
 */
export function ConfirmReceipt({ order }: { order: Order }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  if (order.status === 'delivered') {
    return (
      <section className="panel" aria-labelledby="receipt-delivered" data-testid="delivered-next">
        <h2 id="receipt-delivered">{t('receipt.delivered.title')}</h2>
        <p>{t('receipt.delivered.review')}</p>
        <p className="muted">{t('receipt.delivered.afterSales')}</p>
      </section>
    );
  }
  if (order.status !== 'shipped') return null;
  return (
    <section className="panel" aria-labelledby="receipt-title" data-testid="receipt">
      <h2 id="receipt-title">{t('receipt.title')}</h2>
      <p className="muted">{t('receipt.intro')}</p>
      <button type="button" className="button button--primary" onClick={() => setAsking(true)} data-testid="confirm-receipt">
        {t('receipt.button')}
      </button>
      {asking && <ConfirmReceiptDialog order={order} onClose={() => setAsking(false)} />}
    </section>
  );
}

function ConfirmReceiptDialog({ order, onClose }: { order: Order; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const key = useRef(newIdempotencyKey());
  const confirm = useMutation({
    mutationFn: () => commerce.confirmReceipt(order.id, key.current),
    onSuccess: (updated) => {
      qc.setQueryData(keys.order(order.id), updated);
      void qc.invalidateQueries({ queryKey: keys.orders() });
      onClose();
    },
  });
  return (
    <ConfirmDialog
      title={t('receipt.dialog.title')}
      text={t('receipt.dialog.text')}
      keepLabel={t('receipt.dialog.notYet')}
      yesLabel={t('receipt.dialog.yes')}
      busyLabel={t('receipt.dialog.confirming')}
      pending={confirm.isPending}
      error={confirm.error}
      onClose={onClose}
      onConfirm={() => confirm.mutate()}
      testId="confirm-receipt"
    />
  );
}
