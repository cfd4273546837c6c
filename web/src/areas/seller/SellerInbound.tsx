import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable } from '../../components/DataTable';
import { Field } from '../../components/Field';
import { FormError } from '../../components/FormError';
import { InboundCard, variantLabel } from '../../components/ManagedCards';
import { PagedList } from '../../components/PagedList';
import { QuantityInput } from '../../components/QuantityInput';
import { SelectField } from '../../components/SelectField';
import { useToast } from '../../components/Toast';
import { newIdempotencyKey } from '../../lib/commerce';
import { managed } from '../../lib/managed';
import { usePaged } from '../../lib/paging';
import { useSellerShop } from '../../lib/shops';
import { keys } from '../../api/keys';

/** The SKUs of the shop's accepted offers, with a readable label each. */
function useAcceptedSkus(shopId: string) {
  const { t } = useTranslation();
  const offers = useQuery({ queryKey: keys.supplyOffers(shopId, 'accepted'), queryFn: () => managed.offers(shopId, { status: 'accepted', limit: 100 }) });
  const skus = (offers.data?.data ?? []).flatMap((o) =>
    o.variants.filter((v) => v.sku_id).map((v) => ({ skuId: v.sku_id!, label: `${o.title} · ${variantLabel(o, v.index, t('supply.single'))}` })),
  );
  return { skus, label: (skuId: string) => skus.find((s) => s.skuId === skuId)?.label ?? skuId };
}

/** A managed shop's inbound shipments: announce goods sent to a platform warehouse, see what was counted. */
export function SellerInbound() {
  const { t } = useTranslation();
  const shop = useSellerShop();
  const { skus, label } = useAcceptedSkus(shop.id);
  const list = usePaged(keys.inbound(shop.id), (cursor) => managed.inbound(shop.id, { limit: 20, cursor }));
  return (
    <>
      <InboundForm skus={skus} />
      <section className="panel" aria-labelledby="inbound-title">
        <h2 id="inbound-title">{t('inbound.title')}</h2>
        <PagedList list={list} emptyTitle={t('inbound.emptyTitle')} emptyText={t('inbound.emptyText')} testId="inbound-shipments">
          {(rows) => (
            <ul className="case-list">
              {rows.map((s) => (
                <InboundCard key={s.id} shipment={s} skuLabel={label} />
              ))}
            </ul>
          )}
        </PagedList>
      </section>
    </>
  );
}

function InboundForm({ skus }: { skus: { skuId: string; label: string }[] }) {
  const { t } = useTranslation();
  const shop = useSellerShop();
  const qc = useQueryClient();
  const toast = useToast();
  const warehouses = useQuery({ queryKey: keys.platformWarehouses(), queryFn: managed.warehouses });
  const [warehouse, setWarehouse] = useState('');
  const [carrier, setCarrier] = useState('');
  const [tracking, setTracking] = useState('');
  const [quantities, setQuantities] = useState<Record<string, number>>({});
  const key = useRef(newIdempotencyKey());
  const whs = warehouses.data?.data ?? [];
  const warehouseId = warehouse || (whs.find((w) => w.is_default) ?? whs[0])?.id || '';
  const items = skus.map((s) => ({ sku_id: s.skuId, quantity: quantities[s.skuId] ?? 0 })).filter((i) => i.quantity > 0);
  const create = useMutation({
    mutationFn: () => managed.createInbound(shop.id, { warehouse_id: warehouseId, carrier: carrier.trim() || undefined, tracking_number: tracking.trim() || undefined, items }, key.current),
    onSuccess: () => {
      key.current = newIdempotencyKey();
      setQuantities({});
      setTracking('');
      toast({ text: t('inbound.sent') });
      void qc.invalidateQueries({ queryKey: keys.inbound() });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (items.length > 0 && warehouseId) create.mutate();
  };
  return (
    <section className="panel" aria-labelledby="new-inbound-title">
      <h2 id="new-inbound-title">{t('inbound.new')}</h2>
      {skus.length === 0 ? (
        <p className="muted">{t('inbound.noSkus')}</p>
      ) : (
        <form className="form" onSubmit={submit} noValidate data-testid="inbound-form">
          <div className="form-row">
            <SelectField label={t('inbound.warehouse')} name="inbound-warehouse" value={warehouseId} onChange={(e) => setWarehouse(e.target.value)}>
              {whs.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                </option>
              ))}
            </SelectField>
            <Field label={t('inbound.carrier')} name="inbound-carrier" value={carrier} maxLength={100} hint={t('common.optional')} onChange={(e) => setCarrier(e.target.value)} />
            <Field label={t('ship.tracking')} name="inbound-tracking" value={tracking} maxLength={100} hint={t('common.optional')} onChange={(e) => setTracking(e.target.value)} />
          </div>
          <DataTable
            wrap={false}
            columns={[
              { header: t('inbound.sku'), cell: (s) => s.label },
              {
                header: t('inbound.quantity'),
                num: true,
                cell: (s) => <QuantityInput value={quantities[s.skuId] ?? 0} label={t('inbound.quantityOf', { sku: s.label })} onChange={(n) => setQuantities({ ...quantities, [s.skuId]: n })} />,
              },
            ]}
            rows={skus}
            rowKey={(s) => s.skuId}
          />
          <FormError error={create.error} />
          <button type="submit" className="button button--primary" disabled={create.isPending || items.length === 0 || !warehouseId}>
            {t('inbound.submit')}
          </button>
        </form>
      )}
    </section>
  );
}
