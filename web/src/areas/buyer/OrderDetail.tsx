import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ConfirmReceipt } from './components/ConfirmReceipt';
import { Countdown } from '../../components/Countdown';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormError } from '../../components/FormError';
import { ItemReview } from './components/ItemReview';
import { Loading } from '../../components/Loading';
import { OrderAfterSales } from './components/OrderAfterSales';
import { OrderTotals } from './components/OrderTotals';
import { PageHeader } from '../../components/PageHeader';
import { ProductImage } from '../../components/ProductImage';
import { Shipments } from './components/Shipments';
import { VerificationActions } from './components/VerificationActions';
import { ShipForm } from '../../components/ShipForm';
import { StatusBadge } from '../../components/StatusBadge';
import { formatRegion } from '../../i18n/format';
import { addressLines } from '../../lib/address';
import { CANCELLABLE, commerce, newIdempotencyKey, type Order } from '../../lib/commerce';
import { useFormat } from '../../lib/format';
import { useMe } from '../../lib/session';
import { keys } from '../../api/keys';

const SCAN_POLL_MS = 10_000;

/** One order: items, totals, address, payment, status and timeline; cancel while allowed; the buyer confirms receipt. */
export function OrderDetail({ seller = false }: { seller?: boolean }) {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  // While a parcel is on its way its carrier's scans keep arriving: the page follows them.
  const order = useQuery({ queryKey: keys.order(id), queryFn: () => commerce.order(id), refetchInterval: (q) => (q.state.data?.status === 'shipped' ? SCAN_POLL_MS : false) });

  return (
    <>
      <p className="back-link">
        <Link to={seller ? '/seller/orders' : '/orders'}>{seller ? t('seller.orders.back') : t('orders.back')}</Link>
      </p>
      {order.isPending ? (
        <Loading />
      ) : order.isError ? (
        <ErrorAlert error={order.error} onRetry={() => void order.refetch()} />
      ) : (
        <OrderView order={order.data} seller={seller} />
      )}
    </>
  );
}

function OrderView({ order, seller }: { order: Order; seller: boolean }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { data: me } = useMe();
  const a = order.shipping_address;
  // The shipping deadline is a rule of the shop's time zone: shown there when known (the shop's
  // own members know it), else in the viewer's zone.
  const shopZone = me?.shops.find((s) => s.id === order.shop.id)?.timezone;
  return (
    <div data-testid="order-detail" data-order-id={order.id}>
      <PageHeader
        title={seller ? t('orders.sellerDetailTitle', { buyer: order.buyer.name }) : t('orders.detailTitle', { shop: order.shop.name })}
        subtitle={t('orders.number', { id: order.id })}
        actions={<StatusBadge kind="orderStatus" status={order.awaiting_verification ? 'awaiting_verification' : order.status} />}
      />
      <div className="two-col">
        <div className="two-col__main">
          {seller && <BreachNotices order={order} />}
          {!seller && order.awaiting_verification && <AwaitingVerification verification={order.awaiting_verification} />}
          <section className="panel" aria-labelledby="order-items">
            <h2 id="order-items">{t('orders.items')}</h2>
            <ul className="line-items">
              {order.items.map((item) => (
                <li key={item.id} className="line-item line-item--simple">
                  <ProductImage src={item.image} alt={item.title} className="line-item__image" />
                  <div className="line-item__info">
                    <p className="line-item__title">
                      <Link to={`/products/${item.product_id}`}>{item.title}</Link>
                    </p>
                    {item.option_values.length > 0 && <p className="muted line-item__options">{fmt.options(item.option_values)}</p>}
                    <p className="muted">{t('orders.quantityTimesPrice', { quantity: fmt.number(item.quantity), price: fmt.money(item.unit_price) })}</p>
                  </div>
                  <strong className="line-item__total">{fmt.money(item.line_total)}</strong>
                  {!seller && order.delivered_at && (
                    <div className="line-item__review">
                      <ItemReview orderId={order.id} item={item} />
                    </div>
                  )}
                </li>
              ))}
            </ul>
            <OrderTotals subtotal={order.subtotal} shipping={order.shipping_fee} tax={order.tax} total={order.total} />
          </section>
          {!seller && <ConfirmReceipt order={order} />}
          {seller && order.status === 'paid' && <ShipForm key={order.shipments.length} order={order} />}
          <OrderAfterSales order={order} seller={seller} />
          {order.shipments.length > 0 && <Shipments shipments={order.shipments} items={order.items} seller={seller} />}
          <Timeline order={order} />
        </div>
        <div className="two-col__side">
          <section className="panel" aria-labelledby="order-facts">
            <h2 id="order-facts">{t('orders.details')}</h2>
            <dl className="facts facts--single">
              {order.created_at && (
                <div>
                  <dt>{t('orders.placedAt')}</dt>
                  <dd>{fmt.dateTime(order.created_at)}</dd>
                </div>
              )}
              {order.paid_at && (
                <div>
                  <dt>{t('orders.paidAt')}</dt>
                  <dd>{fmt.dateTime(order.paid_at)}</dd>
                </div>
              )}
              {order.ship_by && order.status === 'paid' && (
                <div>
                  <dt>{t('orders.shipBy')}</dt>
                  <dd data-testid="ship-by">
                    {shopZone ? (
                      <>
                        {fmt.dateTime(order.ship_by, shopZone)}
                        <span className="muted facts__note">{t('orders.shopTime', { zone: shopZone })}</span>
                      </>
                    ) : (
                      fmt.dateTime(order.ship_by)
                    )}
                    {seller && <Countdown to={order.ship_by} testId="ship-by-countdown" />}
                  </dd>
                </div>
              )}
              {order.delivered_at && (
                <div>
                  <dt>{t('orders.deliveredAt')}</dt>
                  <dd>{fmt.dateTime(order.delivered_at)}</dd>
                </div>
              )}
              {order.refunded.amount > 0 && (
                <div>
                  <dt>{t('orders.refunded')}</dt>
                  <dd data-testid="order-refunded">{fmt.money(order.refunded)}</dd>
                </div>
              )}
              {order.payment && (
                <div>
                  <dt>{t('orders.payment')}</dt>
                  <dd>
                    {order.payment.card_last4 ? t('orders.cardEnding', { last4: order.payment.card_last4 }) : t('orders.card')}{' '}
                    <StatusBadge kind="paymentStatus" status={order.payment.status} />
                  </dd>
                </div>
              )}
              {order.buyer && (
                <div>
                  <dt>{t('orders.buyer')}</dt>
                  <dd>{order.buyer.name}</dd>
                </div>
              )}
              <div>
                <dt>{t('orders.shipTo')}</dt>
                <dd>
                  <address className="address">
                    {addressLines(a, formatRegion(a.country, fmt.locale)).map((line, i) => (
                      <span key={i}>{line}</span>
                    ))}
                  </address>
                </dd>
              </div>
            </dl>
            {CANCELLABLE.includes(order.status) && !order.awaiting_verification && <CancelOrder order={order} />}
          </section>
        </div>
      </div>
    </div>
  );
}

/** The buyer left the bank's verification: resume it or cancel the unpaid order, before it expires. */
function AwaitingVerification({ verification }: { verification: NonNullable<Order['awaiting_verification']> }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const navigate = useNavigate();
  return (
    <section className="panel" aria-labelledby="awaiting-verification" data-testid="awaiting-verification">
      <h2 id="awaiting-verification">{t('verification.title')}</h2>
      <p>{t('verification.text', { time: fmt.dateTime(verification.expires_at) })}</p>
      <VerificationActions
        paymentId={verification.payment_id}
        onGone={(outcome) => {
          // A failed verification is a decline: nothing was bought and the order is gone.
          if (outcome === 'declined') void navigate('/orders');
        }}
      />
    </section>
  );
}

function Timeline({ order }: { order: Order }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  // Newest first; events of the same moment (the API lists them in the order they happened) too.
  const events = [...order.timeline].reverse().sort((x, y) => (x.at < y.at ? 1 : x.at > y.at ? -1 : 0));
  return (
    <section className="panel" aria-labelledby="order-timeline">
      <h2 id="order-timeline">{t('orders.timeline')}</h2>
      {events.length === 0 ? (
        <p className="muted">{t('orders.noEvents')}</p>
      ) : (
        <ol className="timeline" data-testid="timeline">
          {events.map((e, i) => (
            <li key={`${e.type}-${e.at}-${i}`}>
              <span className="timeline__dot" aria-hidden="true" />
              <div>
                <p className="timeline__type">{t(`orderEvent.${e.type}`, { defaultValue: e.type.replace(/[._]/g, ' ') })}</p>
                <EventDetails type={e.type} data={e.data} />
                <time dateTime={e.at} className="muted">
                  {fmt.dateTime(e.at)}
                </time>
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** What an event's data says in words: the reason of a cancellation, the amount refunded, a note. */
function EventDetails({ type, data }: { type: string; data: Record<string, unknown> | null }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const reason = typeof data?.reason === 'string' ? data.reason : null;
  // A missed deadline, a fake-tracking rule, a carrier scan: named in the viewer's language.
  const label =
    typeof data?.kind === 'string'
      ? t(`breachKind.${data.kind}`, { defaultValue: data.kind })
      : typeof data?.rule === 'string'
        ? t(`flagRule.${data.rule}`, { defaultValue: data.rule })
        : type === 'tracking' && typeof data?.status === 'string'
          ? t(`shipmentStatus.${data.status}`, { defaultValue: data.status })
          : typeof data?.note === 'string'
            ? data.note
            : null;
  if (label) return <p className="timeline__detail">{label}</p>;
  // A cancellation carries its refund; a refund event is one.
  const refund = (data?.refund ?? (type === 'refunded' ? data : undefined)) as { amount?: unknown; currency?: unknown } | undefined;
  const refunded = refund && typeof refund.amount === 'number' && typeof refund.currency === 'string' ? { amount: refund.amount, currency: refund.currency } : null;
  if (!reason && !refunded) return null;
  return (
    <p className="timeline__detail">
      {reason && t(`cancelReason.${reason}`, { defaultValue: reason.replace(/_/g, ' ') })}
      {reason && refunded && ' · '}
      {refunded && t('orders.refundedAmount', { amount: fmt.money(refunded) })}
    </p>
  );
}

/** The shop's missed deadlines on this order, from its timeline. */
function BreachNotices({ order }: { order: Order }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const breaches = order.timeline.filter((e) => e.type === 'sla_breached');
  if (breaches.length === 0) return null;
  return (
    <div className="notices" data-testid="breach-notices">
      {breaches.map((e, i) => (
        <div key={i} role="alert" className="alert alert--warn">
          {t('orders.breach', { kind: t(`breachKind.${String(e.data?.kind)}`, { defaultValue: String(e.data?.kind) }), time: fmt.dateTime(e.at) })}
        </div>
      ))}
    </div>
  );
}

function CancelOrder({ order }: { order: Order }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const key = useRef(newIdempotencyKey());
  const cancel = useMutation({
    mutationFn: () => commerce.cancelOrder(order.id, key.current),
    onSuccess: () => {
      setConfirming(false);
      void qc.invalidateQueries({ queryKey: keys.order(order.id) });
      void qc.invalidateQueries({ queryKey: keys.orders() });
    },
  });
  return (
    <div className="cancel-box">
      <FormError error={cancel.error} />
      {confirming ? (
        <>
          <p>{order.status === 'paid' ? t('orders.cancel.confirmRefund') : t('orders.cancel.confirm')}</p>
          <div className="dialog__actions">
            <button type="button" className="button" disabled={cancel.isPending} onClick={() => setConfirming(false)}>
              {t('orders.cancel.keep')}
            </button>
            <button type="button" className="button button--danger" disabled={cancel.isPending} onClick={() => cancel.mutate()}>
              {cancel.isPending ? t('orders.cancel.cancelling') : t('orders.cancel.yes')}
            </button>
          </div>
        </>
      ) : (
        <button type="button" className="button button--block" onClick={() => setConfirming(true)} data-testid="cancel-order">
          {t('orders.cancel.button')}
        </button>
      )}
    </div>
  );
}
