import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from '../../../components/FormError';
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
      {asking && <ConfirmDialog order={order} onClose={() => setAsking(false)} />}
    </section>
  );
}

function ConfirmDialog({ order, onClose }: { order: Order; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const key = useRef(newIdempotencyKey());
  const first = useRef<HTMLButtonElement>(null);
  const confirm = useMutation({
    mutationFn: () => commerce.confirmReceipt(order.id, key.current),
    onSuccess: (updated) => {
      qc.setQueryData(keys.order(order.id), updated);
      void qc.invalidateQueries({ queryKey: keys.orders() });
      onClose();
    },
  });
  useEffect(() => first.current?.focus(), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !confirm.isPending) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [confirm.isPending, onClose]);
  return (
    <div className="sheet-backdrop sheet-backdrop--center">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="receipt-dialog-title" data-testid="confirm-receipt-dialog">
        <h2 id="receipt-dialog-title">{t('receipt.dialog.title')}</h2>
        <p>{t('receipt.dialog.text')}</p>
        <FormError error={confirm.error} />
        <div className="dialog__actions">
          <button ref={first} type="button" className="button" disabled={confirm.isPending} onClick={onClose}>
            {t('receipt.dialog.notYet')}
          </button>
          <button type="button" className="button button--primary" disabled={confirm.isPending} onClick={() => confirm.mutate()} data-testid="confirm-receipt-yes">
            {confirm.isPending ? t('receipt.dialog.confirming') : t('receipt.dialog.yes')}
          </button>
        </div>
      </div>
    </div>
  );
}
