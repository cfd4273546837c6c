import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Field } from '../../components/Field';
import { FormError } from '../../components/FormError';
import { OfferCard } from '../../components/ManagedCards';
import { PagedList } from '../../components/PagedList';
import { useToast } from '../../components/Toast';
import { newIdempotencyKey } from '../../lib/commerce';
import { managed } from '../../lib/managed';
import { parseMoneyInput } from '../../lib/money';
import { usePaged } from '../../lib/paging';
import { useSellerShop } from '../../lib/shops';
import { keys } from '../../api/keys';

/** Comma-separated words ("Colour, Size") → trimmed, non-empty values. */
const words = (s: string) => s.split(',').map((w) => w.trim()).filter(Boolean);

/** A managed shop's supply offers: offer goods at a supply price, follow the operators' decisions. */
export function SellerSupplyOffers() {
  const { t } = useTranslation();
  const shop = useSellerShop();
  const list = usePaged(keys.supplyOffers(shop.id), (cursor) => managed.offers(shop.id, { limit: 20, cursor }));
  return (
    <>
      <OfferForm />
      <section className="panel" aria-labelledby="offers-title">
        <h2 id="offers-title">{t('supply.title')}</h2>
        <PagedList list={list} emptyTitle={t('supply.emptyTitle')} emptyText={t('supply.emptyText')} testId="supply-offers">
          {(rows) => (
            <ul className="case-list">
              {rows.map((o) => (
                <OfferCard key={o.id} offer={o} />
              ))}
            </ul>
          )}
        </PagedList>
      </section>
    </>
  );
}

interface VariantRow {
  options: string;
  price: string;
  quantity: string;
}
const EMPTY_ROW: VariantRow = { options: '', price: '', quantity: '' };

function OfferForm() {
  const { t } = useTranslation();
  const shop = useSellerShop();
  const qc = useQueryClient();
  const toast = useToast();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [category, setCategory] = useState('');
  const [optionNames, setOptionNames] = useState('');
  const [rows, setRows] = useState<VariantRow[]>([{ ...EMPTY_ROW }]);
  const [invalid, setInvalid] = useState<Set<string>>(new Set());
  const key = useRef(newIdempotencyKey());
  const names = words(optionNames);
  const create = useMutation({
    mutationFn: () =>
      managed.createOffer(
        shop.id,
        {
          title: title.trim(),
          description: description.trim() || undefined,
          category: category.trim() || undefined,
          option_names: names.length ? names : undefined,
          variants: rows.map((r) => ({
            option_values: names.length ? words(r.options) : undefined,
            supply_price: { amount: parseMoneyInput(r.price, shop.currency) ?? 0, currency: shop.currency },
            quantity_available: Number(r.quantity),
          })),
        },
        key.current,
      ),
    onSuccess: () => {
      key.current = newIdempotencyKey();
      setTitle('');
      setDescription('');
      setCategory('');
      setOptionNames('');
      setRows([{ ...EMPTY_ROW }]);
      toast({ text: t('supply.sent') });
      void qc.invalidateQueries({ queryKey: keys.supplyOffers() });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const bad = new Set<string>();
    if (!title.trim()) bad.add('title');
    rows.forEach((r, i) => {
      if (names.length && words(r.options).length !== names.length) bad.add(`options-${i}`);
      if (!parseMoneyInput(r.price, shop.currency)) bad.add(`price-${i}`);
      const q = Number(r.quantity);
      if (r.quantity.trim() === '' || !Number.isInteger(q) || q < 0 || q > 1_000_000) bad.add(`quantity-${i}`);
    });
    setInvalid(bad);
    if (bad.size === 0) create.mutate();
  };
  const setRow = (i: number, k: keyof VariantRow, v: string) => setRows(rows.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
  return (
    <section className="panel" aria-labelledby="new-offer-title">
      <h2 id="new-offer-title">{t('supply.new')}</h2>
      <p className="muted">{t('supply.intro')}</p>
      <form className="form" onSubmit={submit} noValidate data-testid="offer-form">
        <Field label={t('supply.offerTitle')} name="offer-title" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} error={invalid.has('title') ? t('supply.titleRequired') : null} />
        <div className="field">
          <label htmlFor="field-offer-description">{t('supply.description')}</label>
          <textarea id="field-offer-description" rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <div className="form-row">
          <Field label={t('supply.category')} name="offer-category" value={category} hint={t('common.optional')} onChange={(e) => setCategory(e.target.value)} />
          <Field label={t('supply.optionNames')} name="offer-options" value={optionNames} hint={t('supply.optionNamesHint')} onChange={(e) => setOptionNames(e.target.value)} />
        </div>
        <fieldset className="form-section">
          <legend>{t('supply.variants')}</legend>
          {rows.map((r, i) => (
            <div key={i} className="form-row" data-testid="offer-variant">
              {names.length > 0 && (
                <Field
                  label={t('supply.optionValues', { names: names.join(', ') })}
                  name={`offer-options-${i}`}
                  value={r.options}
                  onChange={(e) => setRow(i, 'options', e.target.value)}
                  error={invalid.has(`options-${i}`) ? t('supply.optionValuesInvalid', { n: names.length }) : null}
                />
              )}
              <Field
                label={t('supply.supplyPriceIn', { currency: shop.currency })}
                name={`offer-price-${i}`}
                inputMode="decimal"
                value={r.price}
                onChange={(e) => setRow(i, 'price', e.target.value)}
                error={invalid.has(`price-${i}`) ? t('validation.amountInvalid') : null}
              />
              <Field
                label={t('supply.quantity')}
                name={`offer-quantity-${i}`}
                inputMode="numeric"
                value={r.quantity}
                onChange={(e) => setRow(i, 'quantity', e.target.value)}
                error={invalid.has(`quantity-${i}`) ? t('supply.quantityInvalid') : null}
              />
              {rows.length > 1 && (
                <button type="button" className="button button--small" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                  {t('supply.removeVariant')}
                </button>
              )}
            </div>
          ))}
          <button type="button" className="button" onClick={() => setRows([...rows, { ...EMPTY_ROW }])}>
            {t('supply.addVariant')}
          </button>
        </fieldset>
        <FormError error={create.error} />
        <button type="submit" className="button button--primary" disabled={create.isPending}>
          {t('supply.submit')}
        </button>
      </form>
    </section>
  );
}
