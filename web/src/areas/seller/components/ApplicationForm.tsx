import { useQuery } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatRegion } from '../../../i18n/format';
import { checkAddress, EMPTY_ADDRESS, type AddressForm } from '../../../lib/address';
import { newIdempotencyKey } from '../../../lib/commerce';
import { useFormat } from '../../../lib/format';
import { moneyInputValue, parseMoneyInput } from '../../../lib/money';
import {
  DOCUMENT_KINDS,
  fromWarehouse,
  SHOP_MODES,
  sellers,
  toWarehouse,
  useApplicationMutation,
  type Application,
  type ApplicationDocument,
  type ApplicationFields,
  type ShopMode,
} from '../../../lib/sellers';
import { checkEmail } from '../../../lib/validation';
import { AddressFields } from '../../../components/AddressFields';
import { DocumentUpload } from '../../../components/DocumentUpload';
import { Field } from '../../../components/Field';
import { FormError } from '../../../components/FormError';
import { keys } from '../../../api/keys';

const PHONE = /^[0-9+()./ -]{3,40}$/;

interface Form {
  code: string;
  market: string;
  category: string;
  mode: ShopMode;
  company_name: string;
  registration_number: string;
  tax_id: string;
  contact_name: string;
  contact_email: string;
  contact_phone: string;
  sales: string;
  marketplace: string;
  warehouses: AddressForm[];
  note: string;
}

function initialForm(a?: Application): Form {
  return {
    code: '',
    market: a?.market ?? 'US',
    category: a?.category ?? '',
    mode: a?.mode ?? 'self_fulfilled',
    company_name: a?.company_name ?? '',
    registration_number: a?.registration_number ?? '',
    tax_id: a?.tax_id ?? '',
    contact_name: a?.contact.name ?? '',
    contact_email: a?.contact.email ?? '',
    contact_phone: a?.contact.phone ?? '',
    sales: a ? moneyInputValue(a.yearly_sales.amount, a.yearly_sales.currency) : '',
    marketplace: a?.yearly_sales.marketplace ?? '',
    warehouses: a ? a.warehouses.map(fromWarehouse) : [{ ...EMPTY_ADDRESS }],
    note: '',
  };
}

/**
 * The seller application: invitation code, mode, company, contact, yearly sales, warehouses and
 * documents. Given `application` (after `needs_info` or failed checks) it resubmits it with the
 * applicant's answers and more documents.
 */
export function ApplicationForm({ application, onDone }: { application?: Application; onDone: (a: Application) => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const markets = useQuery({ queryKey: keys.markets(), queryFn: sellers.markets });
  const [f, setF] = useState(() => initialForm(application));
  const [docs, setDocs] = useState<ApplicationDocument[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const key = useRef<{ body: string; key: string } | null>(null);
  const market = markets.data?.find((m) => m.code === f.market);
  const currency = application?.yearly_sales.currency ?? market?.currency ?? 'USD';

  const fields = (): ApplicationFields => ({
    mode: f.mode,
    company_name: f.company_name.trim(),
    registration_number: f.registration_number.trim(),
    tax_id: f.tax_id.trim(),
    contact: { name: f.contact_name.trim(), email: f.contact_email.trim(), phone: f.contact_phone.trim() },
    yearly_sales: { amount: parseMoneyInput(f.sales, currency) ?? 0, currency, marketplace: f.marketplace.trim() },
    warehouses: f.warehouses.map(toWarehouse),
    document_ids: docs.map((d) => d.id),
  });
  const send = useApplicationMutation(async () => {
    if (application) return sellers.resubmit(application.id, { ...fields(), note: f.note.trim() || undefined });
    const body = { ...fields(), invitation_code: f.code.trim(), category: f.category.trim() };
    const json = JSON.stringify(body);
    if (key.current?.body !== json) key.current = { body: json, key: newIdempotencyKey() };
    return sellers.apply(body, key.current.key);
  });

  const check = (f: Form): Record<string, string> => {
    const e: Record<string, string> = {};
    const required = application ? [] : (['code', 'category'] as const);
    for (const k of [...required, 'company_name', 'registration_number', 'tax_id', 'contact_name', 'marketplace'] as const) {
      if (!f[k].trim()) e[k] = 'apply.errors.required';
    }
    const email = checkEmail(f.contact_email);
    if (email) e.contact_email = email;
    if (!PHONE.test(f.contact_phone.trim())) e.contact_phone = 'apply.errors.phone';
    if (parseMoneyInput(f.sales, currency) === null) e.sales = 'apply.errors.amount';
    if (f.mode === 'self_fulfilled' && f.warehouses.length === 0) e.warehouses = 'apply.errors.warehouseRequired';
    f.warehouses.forEach((w, i) => {
      // The checkout's wording speaks of a recipient; a warehouse just needs its name.
      for (const [field, msg] of Object.entries(checkAddress(w))) e[`wh${i}.${field}`] = field === 'name' ? 'apply.errors.required' : msg;
    });
    return e;
  };
  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    const e = check(f);
    setErrors(e);
    if (Object.keys(e).length === 0) send.mutate(undefined, { onSuccess: onDone });
  };

  /** Changes the form; fields already flagged are checked again as they are corrected, others wait for submit. */
  const update = (next: Form) => {
    setF(next);
    if (Object.keys(errors).length > 0) setErrors(Object.fromEntries(Object.entries(check(next)).filter(([k]) => k in errors)));
  };
  const set = (k: keyof Form) => (ev: { target: { value: string } }) => update({ ...f, [k]: ev.target.value });
  const err = (k: string) => (errors[k] ? t(errors[k]) : null);
  const whErrors = (i: number) =>
    Object.fromEntries(
      Object.entries(errors)
        .filter(([k]) => k.startsWith(`wh${i}.`))
        .map(([k, v]) => [k.slice(`wh${i}.`.length), v]),
    );

  return (
    <form className="form" onSubmit={submit} noValidate data-testid="application-form">
      <fieldset className="form-section">
        <legend>{t('apply.sections.invitation')}</legend>
        {!application && <Field label={t('apply.code')} name="code" value={f.code} onChange={set('code')} error={err('code')} hint={t('apply.codeHint')} autoComplete="off" />}
        <div className="form-row">
          <div className="field">
            <label htmlFor="field-market">{t('apply.market')}</label>
            <select id="field-market" value={f.market} disabled={!!application} onChange={set('market')}>
              {(markets.data ?? [{ code: f.market }]).map((m) => (
                <option key={m.code} value={m.code}>
                  {formatRegion(m.code, fmt.locale)}
                </option>
              ))}
            </select>
          </div>
          {application ? (
            <Field label={t('apply.category')} name="category" value={f.category} disabled />
          ) : (
            <Field label={t('apply.category')} name="category" value={f.category} onChange={set('category')} error={err('category')} hint={t('apply.categoryHint')} />
          )}
        </div>
        {market && (
          <p className="muted" data-testid="market-requirements">
            {market.sales_threshold ? t('apply.threshold', { amount: fmt.money(market.sales_threshold) }) : t('apply.noThreshold')}{' '}
            {market.slots_left === null ? t('apply.noQuota') : t('apply.slotsLeft', { n: fmt.number(market.slots_left) })}
          </p>
        )}
        <div className="field">
          <span className="field__label">{t('apply.mode')}</span>
          <div className="choice-row">
            {SHOP_MODES.map((m) => (
              <label key={m} className="choice">
                <input type="radio" name="mode" value={m} checked={f.mode === m} onChange={() => update({ ...f, mode: m })} />
                <span>
                  <strong>{t(`shopMode.${m}`)}</strong>
                  <span className="muted">{t(`apply.modeHint.${m}`)}</span>
                </span>
              </label>
            ))}
          </div>
        </div>
      </fieldset>

      <fieldset className="form-section">
        <legend>{t('apply.sections.company')}</legend>
        <Field label={t('apply.companyName')} name="company_name" value={f.company_name} onChange={set('company_name')} error={err('company_name')} maxLength={200} />
        <div className="form-row">
          <Field label={t('apply.registrationNumber')} name="registration_number" value={f.registration_number} onChange={set('registration_number')} error={err('registration_number')} maxLength={100} />
          <Field label={t('apply.taxId')} name="tax_id" value={f.tax_id} onChange={set('tax_id')} error={err('tax_id')} maxLength={100} />
        </div>
        <div className="form-row">
          <Field label={t('apply.contactName')} name="contact_name" value={f.contact_name} onChange={set('contact_name')} error={err('contact_name')} maxLength={200} autoComplete="name" />
          <Field label={t('apply.contactEmail')} name="contact_email" value={f.contact_email} onChange={set('contact_email')} error={err('contact_email')} type="email" autoComplete="email" />
          <Field label={t('apply.contactPhone')} name="contact_phone" value={f.contact_phone} onChange={set('contact_phone')} error={err('contact_phone')} type="tel" autoComplete="tel" />
        </div>
      </fieldset>

      <fieldset className="form-section">
        <legend>{t('apply.sections.sales')}</legend>
        <div className="form-row">
          <Field label={t('apply.salesAmount', { currency })} name="sales" value={f.sales} onChange={set('sales')} error={err('sales')} inputMode="decimal" hint={t('apply.salesHint')} />
          <Field label={t('apply.marketplace')} name="marketplace" value={f.marketplace} onChange={set('marketplace')} error={err('marketplace')} maxLength={200} hint={t('apply.marketplaceHint')} />
        </div>
      </fieldset>

      <fieldset className="form-section">
        <legend>{t('apply.sections.warehouses')}</legend>
        <p className="muted">{t(`apply.warehousesHint.${f.mode}`)}</p>
        {f.warehouses.map((w, i) => (
          <div key={i} className="warehouse-block">
            <AddressFields
              value={w}
              errors={whErrors(i)}
              prefix={`wh${i}-`}
              withPhone={false}
              legend={t('apply.warehouse', { n: fmt.number(i + 1) })}
              nameLabel={t('apply.warehouseName')}
              onChange={(next) => update({ ...f, warehouses: f.warehouses.map((x, j) => (j === i ? next : x)) })}
            />
            <button type="button" className="button button--small" onClick={() => update({ ...f, warehouses: f.warehouses.filter((_, j) => j !== i) })}>
              {t('apply.removeWarehouse')}
            </button>
          </div>
        ))}
        {errors.warehouses && <p className="field__error">{t(errors.warehouses)}</p>}
        {f.warehouses.length < 10 && (
          <button type="button" className="button" onClick={() => update({ ...f, warehouses: [...f.warehouses, { ...EMPTY_ADDRESS, country: f.market }] })}>
            {t('apply.addWarehouse')}
          </button>
        )}
      </fieldset>

      <fieldset className="form-section">
        <legend>{t('apply.sections.documents')}</legend>
        {application && <p className="muted">{t('apply.moreDocuments')}</p>}
        {DOCUMENT_KINDS.map((kind) => (
          <DocumentUpload
            key={kind}
            kind={kind}
            required={!market || market.required_documents.includes(kind)}
            documents={docs.filter((d) => d.kind === kind)}
            onUploaded={(d) => setDocs((all) => [...all, d])}
          />
        ))}
      </fieldset>

      {application && (
        <div className="field">
          <label htmlFor="field-answers">{t('apply.answers')}</label>
          <textarea id="field-answers" rows={3} maxLength={2000} value={f.note} onChange={set('note')} />
        </div>
      )}
      {Object.keys(errors).length > 0 && (
        <p role="alert" className="error-text">
          {t('apply.errors.fix')}
        </p>
      )}
      <FormError error={send.error} testId="application-error" />
      <button type="submit" className="button button--primary" disabled={send.isPending} data-testid="application-submit">
        {send.isPending ? t('apply.sending') : application ? t('apply.resubmit') : t('apply.submit')}
      </button>
    </form>
  );
}
