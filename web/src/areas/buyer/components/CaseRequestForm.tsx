import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../../api';
import { aftersales, CASE_TYPES, REASON_CODES, type CaseType, type ReasonCode } from '../../../lib/aftersales';
import { newIdempotencyKey, type Order } from '../../../lib/commerce';
import { useErrorMessage } from '../../../lib/errors';
import { parseMoneyInput } from '../../../lib/money';
import { Field } from '../../../components/Field';
import { FormError } from '../../../components/FormError';
import { keys } from '../../../api/keys';

const MAX_PHOTOS = 10;

/** The buyer asks for a refund, a return or a replacement: reason, optional item, amount and photos. */
export function CaseRequestForm({ order, onDone }: { order: Order; onDone: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const errorMessage = useErrorMessage();
  const [type, setType] = useState<CaseType>('refund_only');
  const [reasonCode, setReasonCode] = useState<ReasonCode>('damaged');
  const [reason, setReason] = useState('');
  const [itemId, setItemId] = useState('');
  const [amount, setAmount] = useState('');
  const [photos, setPhotos] = useState<{ id: string; url: string }[]>([]);
  const [invalid, setInvalid] = useState<{ reason?: boolean; amount?: boolean }>({});
  const key = useRef(newIdempotencyKey());
  const currency = order.total.currency;

  const upload = useMutation({
    mutationFn: async (files: File[]) => Promise.all(files.map((f) => aftersales.uploadEvidence(f))),
    onSuccess: (added) => setPhotos((p) => [...p, ...added].slice(0, MAX_PHOTOS)),
  });
  const open = useMutation({
    mutationFn: () =>
      aftersales.open(
        order.id,
        {
          type,
          reason: reason.trim(),
          reason_code: reasonCode,
          order_item_id: itemId || undefined,
          amount: amount.trim() ? (parseMoneyInput(amount, currency) ?? undefined) : undefined,
          evidence_ids: photos.length ? photos.map((p) => p.id) : undefined,
        },
        key.current,
      ),
    onSuccess: (c) => {
      qc.setQueryData(keys.case(c.id), c);
      void qc.invalidateQueries({ queryKey: keys.order(order.id) });
      void qc.invalidateQueries({ queryKey: keys.cases() });
      onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const minor = parseMoneyInput(amount, currency);
    const bad = { reason: !reason.trim(), amount: amount.trim() !== '' && !minor };
    setInvalid(bad);
    if (!bad.reason && !bad.amount) open.mutate();
  };

  return (
    <form className="form" onSubmit={submit} noValidate data-testid="case-request-form">
      <div className="form-row">
        <div className="field">
          <label htmlFor="field-case-type">{t('caseRequest.type')}</label>
          <select id="field-case-type" value={type} onChange={(e) => setType(e.target.value as CaseType)}>
            {CASE_TYPES.map((c) => (
              <option key={c} value={c}>
                {t(`caseType.${c}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="field-reason-code">{t('caseRequest.reasonCode')}</label>
          <select id="field-reason-code" value={reasonCode} onChange={(e) => setReasonCode(e.target.value as ReasonCode)}>
            {REASON_CODES.map((c) => (
              <option key={c} value={c}>
                {t(`reasonCode.${c}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className={`field${invalid.reason ? ' field--invalid' : ''}`}>
        <label htmlFor="field-case-reason">{t('caseRequest.reason')}</label>
        <textarea id="field-case-reason" rows={3} maxLength={1000} value={reason} aria-invalid={!!invalid.reason} onChange={(e) => setReason(e.target.value)} />
        {invalid.reason && <p className="field__error">{t('validation.reasonRequired')}</p>}
      </div>
      <div className="form-row">
        <div className="field">
          <label htmlFor="field-case-item">{t('caseRequest.item')}</label>
          <select id="field-case-item" value={itemId} onChange={(e) => setItemId(e.target.value)}>
            <option value="">{t('caseRequest.wholeOrder')}</option>
            {order.items.map((i) => (
              <option key={i.id} value={i.id}>
                {i.title}
              </option>
            ))}
          </select>
        </div>
        <Field
          label={t('caseRequest.amount', { currency })}
          name="case-amount"
          inputMode="decimal"
          value={amount}
          hint={t('caseRequest.amountHint')}
          error={invalid.amount ? t('validation.amountInvalid') : null}
          onChange={(e) => setAmount(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="field-case-photos">{t('caseRequest.photos')}</label>
        <input
          id="field-case-photos"
          type="file"
          accept="image/jpeg,image/png,image/webp"
          multiple
          disabled={upload.isPending || photos.length >= MAX_PHOTOS}
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            if (files.length) upload.mutate(files);
          }}
        />
        <p className="field__hint">{upload.isPending ? t('caseRequest.uploading') : t('caseRequest.photosHint')}</p>
        {upload.error && (
          <p className="field__error">
            {upload.error instanceof ApiError && upload.error.code === 'unsupported_media' ? t('caseRequest.notAPhoto') : errorMessage(upload.error)}
          </p>
        )}
        {photos.length > 0 && (
          <ul className="thumbs" data-testid="case-photos">
            {photos.map((p, i) => (
              <li key={p.id}>
                <img src={p.url} alt={t('cases.photo', { n: i + 1 })} />
              </li>
            ))}
          </ul>
        )}
      </div>
      <FormError error={open.error} testId="case-request-error" />
      <div className="action-row">
        <button type="submit" className="button button--primary" disabled={open.isPending || upload.isPending} data-testid="case-request-submit">
          {open.isPending ? t('caseRequest.sending') : t('caseRequest.submit')}
        </button>
        <button type="button" className="button" onClick={onDone}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
