import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from '../../../components/FormError';
import { useToast } from '../../../components/Toast';
import { CART_KEY } from '../../../lib/cart';
import { commerce, newIdempotencyKey, type CheckoutResult } from '../../../lib/commerce';
import { useErrorMessage } from '../../../lib/errors';
import { keys } from '../../../api/keys';
import { BankVerification } from './BankVerification';
import './verification.css';

/**
 * An unpaid order waiting for the buyer's 3-D-Secure verification (they left the bank's page):
 * "Resume verification" opens the same payment's verification again (passing it pays these very
 * orders), "Cancel" gives the checkout up after a confirmation (nothing charged, stock released,
 * the cart keeps its items). `onGone` runs when the order is no longer waiting (paid, declined,
 * cancelled), after the caches were refreshed.
 */
export function VerificationActions({ paymentId, compact = false, onGone }: { paymentId: string; compact?: boolean; onGone?: (outcome: 'paid' | 'declined' | 'cancelled') => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const [verifying, setVerifying] = useState<CheckoutResult | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: keys.orders() });
    void qc.invalidateQueries({ queryKey: keys.order() });
    void qc.invalidateQueries({ queryKey: CART_KEY });
  };
  const resume = useMutation({ mutationFn: () => commerce.payment(paymentId), onSuccess: setVerifying });
  const size = compact ? ' button--small' : '';
  return (
    <div className="verification-actions" data-testid="verification-actions">
      <FormError error={resume.error} />
      <div className="verification-actions__buttons">
        <button type="button" className={`button button--primary${size}`} disabled={resume.isPending} onClick={() => resume.mutate()} data-testid="resume-verification">
          {t('verification.resume')}
        </button>
        <button type="button" className={`button${size}`} onClick={() => setCancelling(true)} data-testid="cancel-unpaid">
          {t('verification.cancel')}
        </button>
      </div>
      {verifying && (
        <BankVerification
          result={verifying}
          onClose={() => setVerifying(null)}
          onDone={() => {
            setVerifying(null);
            refresh();
            toast({ text: t('verification.paid') });
            onGone?.('paid');
          }}
          onFailed={(err) => {
            setVerifying(null);
            refresh();
            toast({ text: errorMessage(err), tone: 'error' });
            onGone?.('declined');
          }}
        />
      )}
      {cancelling && (
        <CancelDialog
          paymentId={paymentId}
          onClose={() => setCancelling(false)}
          onCancelled={() => {
            setCancelling(false);
            refresh();
            onGone?.('cancelled');
          }}
        />
      )}
    </div>
  );
}

function CancelDialog({ paymentId, onClose, onCancelled }: { paymentId: string; onClose: () => void; onCancelled: () => void }) {
  const { t } = useTranslation();
  const key = useRef(newIdempotencyKey());
  const first = useRef<HTMLButtonElement>(null);
  const cancel = useMutation({ mutationFn: () => commerce.cancelPayment(paymentId, key.current), onSuccess: onCancelled });
  useEffect(() => first.current?.focus(), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !cancel.isPending) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [cancel.isPending, onClose]);
  return (
    <div className="sheet-backdrop sheet-backdrop--center">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="cancel-unpaid-title" data-testid="cancel-unpaid-dialog">
        <h2 id="cancel-unpaid-title">{t('verification.cancelDialog.title')}</h2>
        <p>{t('verification.cancelDialog.text')}</p>
        <FormError error={cancel.error} />
        <div className="dialog__actions">
          <button ref={first} type="button" className="button" disabled={cancel.isPending} onClick={onClose}>
            {t('verification.cancelDialog.keep')}
          </button>
          <button type="button" className="button button--danger" disabled={cancel.isPending} onClick={() => cancel.mutate()} data-testid="cancel-unpaid-yes">
            {cancel.isPending ? t('verification.cancelDialog.cancelling') : t('verification.cancelDialog.yes')}
          </button>
        </div>
      </div>
    </div>
  );
}
