import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
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
  const cancel = useMutation({ mutationFn: () => commerce.cancelPayment(paymentId, key.current), onSuccess: onCancelled });
  return (
    <ConfirmDialog
      title={t('verification.cancelDialog.title')}
      text={t('verification.cancelDialog.text')}
      keepLabel={t('verification.cancelDialog.keep')}
      yesLabel={t('verification.cancelDialog.yes')}
      busyLabel={t('verification.cancelDialog.cancelling')}
      danger
      pending={cancel.isPending}
      error={cancel.error}
      onClose={onClose}
      onConfirm={() => cancel.mutate()}
      testId="cancel-unpaid"
    />
  );
}
