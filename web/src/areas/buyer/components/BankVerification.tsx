import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../../api';
import { commerce, type CheckoutResult } from '../../../lib/commerce';
import { useFormat } from '../../../lib/format';
import { FormError } from '../../../components/FormError';

/**
 * The sandbox's 3-D-Secure-style step: the "bank" asks the buyer to approve the payment. Approve
 * completes it; "Fail verification" declines it (nothing is charged, the cart stays). "Not now"
 * (`onClose`) leaves it unanswered, as closing a bank's page would: the order waits for the
 * verification in the buyer's orders until it expires.
 */
export function BankVerification({
  result,
  onDone,
  onFailed,
  onClose,
}: {
  result: CheckoutResult;
  onDone: (result: CheckoutResult) => void;
  onFailed: (error: unknown) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const first = useRef<HTMLButtonElement>(null);
  const confirm = useMutation({
    mutationFn: (challenge: 'pass' | 'fail') => commerce.confirmPayment(result.payment.id, challenge),
    onSuccess: (next) => {
      if (next.payment.status === 'succeeded') onDone(next);
      else onFailed(new ApiError('verification_failed', 402, 'Verification failed'));
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status >= 400 && err.status < 500) onFailed(err);
    },
  });
  useEffect(() => first.current?.focus(), []);

  return (
    <div className="sheet-backdrop sheet-backdrop--center">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="bank-title" data-testid="bank-verification">
        <div className="dialog__bank" aria-hidden="true">
          <span className="dialog__bank-mark" />
          {t('checkout.verify.bankName')}
        </div>
        <h2 id="bank-title">{t('checkout.verify.title')}</h2>
        <p>{t('checkout.verify.text', { amount: fmt.money(result.payment.amount) })}</p>
        <p className="field__hint">{t('checkout.verify.sandboxNote')}</p>
        <FormError error={confirm.error} />
        <div className="dialog__actions">
          <button type="button" className="button button--ghost" disabled={confirm.isPending} onClick={onClose} data-testid="verification-later">
            {t('verification.later')}
          </button>
          <button type="button" className="button" disabled={confirm.isPending} onClick={() => confirm.mutate('fail')}>
            {t('checkout.verify.fail')}
          </button>
          <button ref={first} type="button" className="button button--primary" disabled={confirm.isPending} onClick={() => confirm.mutate('pass')}>
            {confirm.isPending ? t('checkout.verify.checking') : t('checkout.verify.approve')}
          </button>
        </div>
      </div>
    </div>
  );
}
