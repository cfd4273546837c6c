import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { newIdempotencyKey, type Order } from '../lib/commerce';
import { CARRIERS, fulfillment, unshipped, type Shipment } from '../lib/fulfillment';
import { CarrierField } from './CarrierField';
import { DataTable } from './DataTable';
import { Field } from './Field';
import { FormError } from './FormError';
import { QuantityInput } from './QuantityInput';
import { useToast } from './Toast';
import { keys } from '../api/keys';

/** What shipping needs of an order: its items and what its shipments already hold. */
export type ShippableOrder = Pick<Order, 'id'> & { items: Pick<Order['items'][number], 'id' | 'title' | 'quantity'>[]; shipments: Pick<Shipment, 'items'>[] };

/**
 * The seller (or, for a managed shop, an operator) hands (part of) a paid order to a carrier:
 * carrier, tracking number, quantities.
 */
export function ShipForm({ order }: { order: ShippableOrder }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const toast = useToast();
  const left = unshipped(order.items, order.shipments);
  const open = order.items.filter((i) => (left.get(i.id) ?? 0) > 0);
  const [carrier, setCarrier] = useState<string>(CARRIERS[0]);
  const [tracking, setTracking] = useState('');
  const [quantities, setQuantities] = useState<Record<string, number>>(() => Object.fromEntries(open.map((i) => [i.id, left.get(i.id) ?? 0])));
  const key = useRef(newIdempotencyKey());
  const ship = useMutation({
    mutationFn: () => {
      const items = open.map((i) => ({ order_item_id: i.id, quantity: quantities[i.id] ?? 0 })).filter((i) => i.quantity > 0);
      const partial = items.length < open.length || items.some((i) => i.quantity !== left.get(i.order_item_id));
      return fulfillment.ship(order.id, { carrier, tracking_number: tracking.trim() || undefined, items: partial ? items : undefined }, key.current);
    },
    onSuccess: (s) => {
      key.current = newIdempotencyKey();
      setTracking('');
      toast({ text: t('ship.done', { tracking: s.tracking_number }) });
      void qc.invalidateQueries({ queryKey: keys.order(order.id) });
      void qc.invalidateQueries({ queryKey: keys.orders() });
    },
  });
  const nothing = open.every((i) => !quantities[i.id]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!nothing) ship.mutate();
  };
  if (open.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="ship-title">
      <h2 id="ship-title">{t('ship.title')}</h2>
      <form className="form" onSubmit={submit} data-testid="ship-form" noValidate>
        <div className="form-row">
          <CarrierField name="carrier" value={carrier} onChange={setCarrier} />
          <Field label={t('ship.tracking')} name="tracking" value={tracking} hint={t('ship.trackingHint')} maxLength={100} onChange={(e) => setTracking(e.target.value)} />
        </div>
        <DataTable
          wrap={false}
          columns={[
            { header: t('ship.item'), cell: (i) => i.title },
            {
              header: t('ship.quantity'),
              num: true,
              cell: (i) => (
                <QuantityInput
                  value={quantities[i.id] ?? 0}
                  max={left.get(i.id) ?? 0}
                  label={t('ship.quantityOf', { title: i.title, max: left.get(i.id) })}
                  onChange={(n) => setQuantities({ ...quantities, [i.id]: n })}
                />
              ),
            },
          ]}
          rows={open}
          rowKey={(i) => i.id}
        />
        <FormError error={ship.error} />
        <button type="submit" className="button button--primary" disabled={ship.isPending || nothing} data-testid="ship-submit">
          {ship.isPending ? t('ship.shipping') : t('ship.submit')}
        </button>
      </form>
    </section>
  );
}
