import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Countdown } from '../../components/Countdown';
import { DataTable } from '../../components/DataTable';
import { Field } from '../../components/Field';
import { StatusFilter } from '../../components/FilterSelect';
import { FormError } from '../../components/FormError';
import { InboundCard, OfferCard, useOfferVariantColumns, variantLabel } from '../../components/ManagedCards';
import { NoteForm } from '../../components/NoteForm';
import { PagedList } from '../../components/PagedList';
import { QuantityInput } from '../../components/QuantityInput';
import { ShipForm } from '../../components/ShipForm';
import { formatRegion } from '../../i18n/format';
import { addressLines } from '../../lib/address';
import { newIdempotencyKey } from '../../lib/commerce';
import { useFormat } from '../../lib/format';
import { INBOUND_STATUSES, managed, OFFER_STATUSES, type InboundShipment, type InboundStatus, type OfferStatus, type SupplyOffer } from '../../lib/managed';
import { parseMoneyInput } from '../../lib/money';
import { usePaged } from '../../lib/paging';
import { keys } from '../../api/keys';

/** Managed catalog: supply offers to accept (with retail prices) or reject (with a note). */
export function OperatorSupplyOffers() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<OfferStatus | ''>('submitted');
  const list = usePaged(keys.supplyOffers('queue', status), (cursor) => managed.offerQueue({ status: status || undefined, limit: 20, cursor }));
  return (
    <section className="panel" aria-labelledby="managed-catalog-title">
      <div className="panel__head">
        <h2 id="managed-catalog-title">{t('operator.offers.title')}</h2>
        <StatusFilter value={status} statuses={OFFER_STATUSES} kind="offerStatus" onChange={setStatus} />
      </div>
      <PagedList list={list} emptyTitle={t('operator.offers.emptyTitle')} emptyText={t('operator.offers.emptyText')} testId="offer-queue">
        {(rows) => (
          <ul className="case-list">
            {rows.map((o) => (
              <OfferCard key={o.id} offer={o}>
                {o.status === 'submitted' ? <OfferDecision offer={o} /> : undefined}
              </OfferCard>
            ))}
          </ul>
        )}
      </PagedList>
    </section>
  );
}

function OfferDecision({ offer }: { offer: SupplyOffer }) {
  const { t } = useTranslation();
  const variantColumns = useOfferVariantColumns(offer);
  const qc = useQueryClient();
  const currency = offer.variants[0]?.supply_price.currency ?? 'USD';
  const [prices, setPrices] = useState<string[]>(() => offer.variants.map(() => ''));
  const [invalid, setInvalid] = useState<Set<number>>(new Set());
  const key = useRef(newIdempotencyKey());
  const done = () => void qc.invalidateQueries({ queryKey: keys.supplyOffers() });
  const accept = useMutation({
    mutationFn: () =>
      managed.acceptOffer(
        offer.id,
        offer.variants.map((v, i) => ({ variant_index: v.index, price: { amount: parseMoneyInput(prices[i] ?? '', currency) ?? 0, currency } })),
        key.current,
      ),
    onSuccess: done,
  });
  const reject = useMutation({ mutationFn: (note: string) => managed.rejectOffer(offer.id, note), onSuccess: done });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const bad = new Set(offer.variants.map((v, i) => ((parseMoneyInput(prices[i] ?? '', currency) ?? 0) < v.supply_price.amount ? i : -1)).filter((i) => i >= 0));
    setInvalid(bad);
    if (bad.size === 0) accept.mutate();
  };
  return (
    <>
      <form className="form" onSubmit={submit} noValidate data-testid="accept-offer-form">
        <DataTable
          wrap={false}
          columns={[
            ...variantColumns,
            {
              header: t('operator.offers.retailPrice', { currency }),
              cell: (v, i) => (
                <Field
                  label={t('operator.offers.retailPriceOf', { variant: variantLabel(offer, v.index, t('supply.single')) })}
                  name={`retail-${offer.id}-${i}`}
                  inputMode="decimal"
                  value={prices[i] ?? ''}
                  onChange={(e) => setPrices(prices.map((p, j) => (j === i ? e.target.value : p)))}
                  error={invalid.has(i) ? t('operator.offers.retailInvalid') : null}
                />
              ),
            },
          ]}
          rows={offer.variants}
          rowKey={(v) => v.index}
        />
        <FormError error={accept.error} />
        <button type="submit" className="button button--primary" disabled={accept.isPending}>
          {t('operator.offers.accept')}
        </button>
      </form>
      <NoteForm
        name={`reject-${offer.id}`}
        label={t('operator.offers.rejectNote')}
        submitLabel={t('operator.offers.reject')}
        danger
        pending={reject.isPending}
        error={reject.error}
        onSubmit={(note) => reject.mutate(note)}
      />
    </>
  );
}

/** Receiving: inbound shipments to count; the counted quantities go on the platform warehouse's shelf. */
export function OperatorReceiving() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<InboundStatus | ''>('expected');
  const list = usePaged(keys.inbound('queue', status), (cursor) => managed.inboundQueue({ status: status || undefined, limit: 20, cursor }));
  return (
    <section className="panel" aria-labelledby="receiving-title">
      <div className="panel__head">
        <h2 id="receiving-title">{t('operator.receiving.title')}</h2>
        <StatusFilter value={status} statuses={INBOUND_STATUSES} kind="inboundStatus" onChange={setStatus} />
      </div>
      <PagedList list={list} emptyTitle={t('operator.receiving.emptyTitle')} emptyText={t('operator.receiving.emptyText')} testId="inbound-queue">
        {(rows) => (
          <ul className="case-list">
            {rows.map((s) => (
              <InboundCard key={s.id} shipment={s}>
                {s.status === 'expected' ? <ReceiveForm shipment={s} /> : undefined}
              </InboundCard>
            ))}
          </ul>
        )}
      </PagedList>
    </section>
  );
}

function ReceiveForm({ shipment }: { shipment: InboundShipment }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const qc = useQueryClient();
  const [counts, setCounts] = useState<Record<string, number>>(() => Object.fromEntries(shipment.items.map((i) => [i.sku_id, i.expected_quantity])));
  const [note, setNote] = useState('');
  const key = useRef(newIdempotencyKey());
  const receive = useMutation({
    mutationFn: () =>
      managed.receive(shipment.id, { items: shipment.items.map((i) => ({ sku_id: i.sku_id, received_quantity: counts[i.sku_id] ?? 0 })), note: note.trim() || undefined }, key.current),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.inbound() }),
  });
  return (
    <form
      className="form"
      noValidate
      data-testid="receive-form"
      onSubmit={(e) => {
        e.preventDefault();
        receive.mutate();
      }}
    >
      <DataTable
        wrap={false}
        columns={[
          { header: t('inbound.sku'), className: 'mono', cell: (i) => i.sku_id },
          { header: t('inbound.expected'), num: true, cell: (i) => fmt.number(i.expected_quantity) },
          {
            header: t('inbound.received'),
            num: true,
            cell: (i) => <QuantityInput value={counts[i.sku_id] ?? 0} label={t('operator.receiving.countOf', { sku: i.sku_id })} onChange={(n) => setCounts({ ...counts, [i.sku_id]: n })} />,
          },
        ]}
        rows={shipment.items}
        rowKey={(i) => i.sku_id}
      />
      <Field label={t('operator.receiving.note')} name={`receive-note-${shipment.id}`} value={note} maxLength={2000} hint={t('common.optional')} onChange={(e) => setNote(e.target.value)} />
      <FormError error={receive.error} />
      <button type="submit" className="button button--primary" disabled={receive.isPending}>
        {t('operator.receiving.submit')}
      </button>
    </form>
  );
}

/** Paid orders of managed shops, oldest first: the platform ships them. */
export function OperatorManagedOrders() {
  const { t } = useTranslation();
  const fmt = useFormat();
  // Under ['orders'], so the ship form's refresh of the order lists includes this one.
  const list = usePaged(keys.orders('managed'), (cursor) => managed.orders({ limit: 20, cursor }));
  return (
    <section className="panel" aria-labelledby="managed-orders-title">
      <h2 id="managed-orders-title">{t('operator.managedOrders.title')}</h2>
      <PagedList list={list} emptyTitle={t('operator.managedOrders.emptyTitle')} emptyText={t('operator.managedOrders.emptyText')} testId="managed-orders">
        {(rows) => (
          <ul className="case-list">
            {rows.map((o) => (
              <li key={o.id} className="case-card" data-testid="managed-order" data-order-id={o.id}>
                <div className="shipment__head">
                  <strong className="mono">{o.id}</strong>
                  <span>
                    {o.shop.name} · {fmt.money(o.total)}
                  </span>
                </div>
                {o.ship_by && (
                  <p>
                    {t('operator.managedOrders.shipBy')} <Countdown to={o.ship_by} />
                  </p>
                )}
                <p className="muted">{addressLines(o.shipping_address, formatRegion(o.shipping_address.country, fmt.locale)).join(', ')}</p>
                {/* The list names shipments without their items: the form offers what is left as a whole. */}
                <ShipForm order={{ id: o.id, items: o.items, shipments: [] }} />
              </li>
            ))}
          </ul>
        )}
      </PagedList>
    </section>
  );
}
