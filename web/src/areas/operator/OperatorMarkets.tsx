import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Field } from '../../components/Field';
import { FormError } from '../../components/FormError';
import { Loading } from '../../components/Loading';
import { useToast } from '../../components/Toast';
import { formatRegion } from '../../i18n/format';
import { useFormat } from '../../lib/format';
import { moneyInputValue, parseMoneyInput } from '../../lib/money';
import { DOCUMENT_KINDS, sellers, type AdminMarket, type DocumentKind, isDocumentKind, type MarketEdit } from '../../lib/sellers';
import { keys } from '../../api/keys';

/** Markets as data: tax rate, slot quota, sales threshold, affiliate attribution window and required documents, editable. */
export function OperatorMarkets() {
  const { t } = useTranslation();
  const markets = useQuery({ queryKey: keys.adminMarkets(), queryFn: sellers.adminMarkets });
  return (
    <section className="panel" aria-labelledby="markets-title">
      <h2 id="markets-title">{t('operator.markets.title')}</h2>
      {markets.isPending ? (
        <Loading />
      ) : markets.isError ? (
        <ErrorAlert error={markets.error} onRetry={() => void markets.refetch()} />
      ) : markets.data.length === 0 ? (
        <EmptyState title={t('operator.markets.emptyTitle')} />
      ) : (
        <ul className="case-list" data-testid="markets">
          {markets.data.map((m) => (
            <MarketCard key={`${m.code}-${m.updated_at ?? ''}`} market={m} />
          ))}
        </ul>
      )}
    </section>
  );
}

function MarketCard({ market }: { market: AdminMarket }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const qc = useQueryClient();
  const toast = useToast();
  const [tax, setTax] = useState(String(market.tax_rate_bps / 100));
  const [quota, setQuota] = useState(market.slot_quota === null ? '' : String(market.slot_quota));
  const [threshold, setThreshold] = useState(market.sales_threshold ? moneyInputValue(market.sales_threshold.amount, market.currency) : '');
  const [windowDays, setWindowDays] = useState(String(market.attribution_window_days));
  const [docs, setDocs] = useState<DocumentKind[]>(market.required_documents.filter(isDocumentKind));
  const [invalid, setInvalid] = useState<Record<string, boolean>>({});
  const save = useMutation({
    mutationFn: (edit: MarketEdit) => sellers.editMarket(market.code, edit),
    onSuccess: () => {
      toast({ text: t('operator.markets.saved', { market: formatRegion(market.code, fmt.locale) }) });
      void qc.invalidateQueries({ queryKey: keys.adminMarkets() });
      void qc.invalidateQueries({ queryKey: keys.markets() });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const bps = Math.round(Number(tax) * 100);
    const slots = quota.trim() === '' ? null : Number(quota);
    const amount = threshold.trim() === '' ? null : parseMoneyInput(threshold, market.currency);
    const days = Number(windowDays);
    const bad = {
      tax: tax.trim() === '' || !Number.isFinite(bps) || bps < 0 || bps > 10_000,
      quota: slots !== null && (!Number.isInteger(slots) || slots < 0),
      threshold: threshold.trim() !== '' && amount === null,
      window: windowDays.trim() === '' || !Number.isInteger(days) || days < 1 || days > 90,
    };
    setInvalid(bad);
    if (Object.values(bad).some(Boolean)) return;
    save.mutate({
      tax_rate_bps: bps,
      slot_quota: slots,
      sales_threshold: amount === null ? null : { amount, currency: market.currency },
      attribution_window_days: days,
      required_documents: DOCUMENT_KINDS.filter((k) => docs.includes(k)),
    });
  };
  return (
    <li className="case-card" data-testid="market" data-market={market.code}>
      <div className="shipment__head">
        <strong>{formatRegion(market.code, fmt.locale)}</strong>
        <span className="muted">
          {t('operator.markets.summary', { currency: market.currency, timezone: market.timezone, taken: fmt.number(market.slots_taken) })}
        </span>
      </div>
      <form className="form" onSubmit={submit} noValidate>
        <div className="form-row">
          <Field
            label={t('operator.markets.taxRate')}
            name={`tax-${market.code}`}
            inputMode="decimal"
            value={tax}
            onChange={(e) => setTax(e.target.value)}
            error={invalid.tax ? t('operator.markets.taxInvalid') : null}
          />
          <Field
            label={t('operator.markets.slotQuota')}
            name={`quota-${market.code}`}
            inputMode="numeric"
            value={quota}
            onChange={(e) => setQuota(e.target.value)}
            hint={t('operator.markets.emptyMeansNone')}
            error={invalid.quota ? t('operator.markets.quotaInvalid') : null}
          />
          <Field
            label={t('operator.markets.threshold', { currency: market.currency })}
            name={`threshold-${market.code}`}
            inputMode="decimal"
            value={threshold}
            onChange={(e) => setThreshold(e.target.value)}
            hint={t('operator.markets.emptyMeansNone')}
            error={invalid.threshold ? t('validation.amountInvalid') : null}
          />
          <Field
            label={t('operator.markets.attributionWindow')}
            name={`attribution-${market.code}`}
            inputMode="numeric"
            value={windowDays}
            onChange={(e) => setWindowDays(e.target.value)}
            hint={t('operator.markets.attributionWindowHint')}
            error={invalid.window ? t('operator.markets.attributionWindowInvalid') : null}
          />
        </div>
        <fieldset className="choice-row">
          <legend>{t('operator.markets.requiredDocuments')}</legend>
          {DOCUMENT_KINDS.map((k) => (
            <label key={k} className="choice">
              <input type="checkbox" checked={docs.includes(k)} onChange={(e) => setDocs(e.target.checked ? [...docs, k] : docs.filter((d) => d !== k))} />
              <span>{t(`documentKind.${k}`)}</span>
            </label>
          ))}
        </fieldset>
        <FormError error={save.error} />
        <button type="submit" className="button button--primary" disabled={save.isPending}>
          {t('operator.markets.save')}
        </button>
      </form>
    </li>
  );
}
