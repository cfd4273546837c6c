import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { FormError } from '../../components/FormError';
import { VideoIcon } from '../../components/Icons';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { ProductImage } from '../../components/ProductImage';
import { ProductSheet } from './components/ProductSheet';
import { useAddToCart } from '../../lib/cart';
import type { ProductSummary } from '../../lib/commerce';
import { useFormat } from '../../lib/format';
import { useRequireSignIn } from '../../lib/requireSignIn';
import { useLiveRoom, type LiveSession, type Purchase, type RoomProduct, type RoomState } from '../../lib/live';
import { useLivePresenceEvents } from '../../lib/trackers';
import './live.css';

/** A live room: the creator's stream, the pinned product with its stock, buy, viewers, purchases. */
export function LiveRoom() {
  const { t } = useTranslation();
  const { id } = useParams();
  const fmt = useFormat();
  const { room, connection, notFound } = useLiveRoom(id);
  const [sheet, setSheet] = useState<ProductSummary | null>(null);
  useLivePresenceEvents(room?.live.id, room?.live.creator.id);

  if (notFound) {
    return (
      <section className="panel">
        <EmptyState title={t('live.room.notFoundTitle')} icon={<VideoIcon />} testId="live-not-found">
          <p>{t('live.room.notFoundText')}</p>
          <Link to="/live" className="button button--primary">
            {t('live.list.browse')}
          </Link>
        </EmptyState>
      </section>
    );
  }
  if (!room) return <Loading />;
  const { live } = room;
  const source = { live_id: live.id };
  const others = live.products.filter((p) => p.id !== live.pinned_product_id);

  return (
    <div className="live-room" data-testid="live-room" data-status={live.status}>
      <PageHeader
        title={live.title}
        subtitle={t('live.room.by', { name: live.creator.name })}
        actions={
          <div className="live-room__meta">
            <LiveBadge status={live.status} />
            <span className="live-viewers" data-testid="live-viewers" data-count={room.viewers}>
              {t('live.room.viewers', { n: fmt.number(room.viewers) })}
            </span>
            {connection === 'reconnecting' && <span className="muted">{t('live.room.reconnecting')}</span>}
          </div>
        }
      />
      <div className="live-room__layout">
        <section className="panel live-room__stage" aria-label={t('live.room.stream')}>
          {live.status === 'ended' ? (
            <EmptyState title={t('live.room.endedTitle')} icon={<VideoIcon />} testId="live-ended">
              <p>{t('live.room.endedText')}</p>
              <Link to="/live" className="button">
                {t('live.list.browse')}
              </Link>
            </EmptyState>
          ) : (
            <>
              {/* The creator's own stream: MP4 plays everywhere, HLS where the browser supports it. */}
              <video className="live-room__video" src={live.stream_url} controls autoPlay muted playsInline aria-label={t('live.room.stream')} />
              {live.status === 'scheduled' && <StartsAt at={live.scheduled_at} />}
            </>
          )}
        </section>
        <div className="live-room__side">
          <section className="panel" aria-labelledby="live-pinned-title" data-testid="live-pinned">
            <h2 id="live-pinned-title">{t('live.room.pinned')}</h2>
            {room.pinned ? <PinnedProduct key={room.pinned.id} product={room.pinned} live={live} /> : <p className="muted">{t('live.room.nothingPinned')}</p>}
          </section>
          <section className="panel" aria-labelledby="live-purchases-title">
            <h2 id="live-purchases-title">{t('live.room.purchases')}</h2>
            <Purchases purchases={room.purchases} />
          </section>
          {others.length > 0 && (
            <section className="panel" aria-labelledby="live-more-title">
              <h2 id="live-more-title">{t('live.room.moreProducts')}</h2>
              <ul className="live-products">
                {others.map((p) => (
                  <li key={p.id}>
                    <button type="button" className="live-products__item" onClick={() => setSheet(p)} disabled={live.status !== 'live'}>
                      <ProductImage src={p.images[0]} alt={p.title} className="pick__image" />
                      <span>{p.title}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </div>
      </div>
      {sheet && <ProductSheet summary={sheet} source={source} creatorId={live.creator.id} returnTo={`/live/${live.id}`} onClose={() => setSheet(null)} />}
    </div>
  );
}

function StartsAt({ at }: { at: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  return (
    <p className="live-room__note" data-testid="live-starts-at">
      {t('live.room.startsAt', { at: fmt.dateTime(at) })}
    </p>
  );
}

export function LiveBadge({ status }: { status: LiveSession['status'] }) {
  const { t } = useTranslation();
  const tone = status === 'live' ? 'bad' : status === 'scheduled' ? 'info' : 'neutral';
  return (
    <span className={`badge badge--${tone}${status === 'live' ? ' live-badge' : ''}`} data-testid="live-status" data-status={status}>
      {t(`live.status.${status}`)}
    </span>
  );
}

/** The featured product: variant, price, what is left (the flash-sale allotment when it has one), buy. */
function PinnedProduct({ product, live }: { product: RoomProduct; live: LiveSession }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const navigate = useNavigate();
  const add = useAddToCart();
  const requireSignIn = useRequireSignIn();
  const [skuId, setSkuId] = useState(() => (product.skus.find((s) => s.available > 0) ?? product.skus[0])?.sku_id);
  const sku = product.skus.find((s) => s.sku_id === skuId) ?? product.skus[0];
  const left = sku?.available ?? 0;
  const canBuy = live.status === 'live' && !!sku && left > 0;

  const buy = () => {
    if (!sku || !requireSignIn()) return;
    add.mutate(
      { sku_id: sku.sku_id, quantity: 1, source: { live_id: live.id } },
      { onSuccess: () => navigate('/checkout') },
    );
  };

  return (
    <div className="live-pinned">
      <div className="live-pinned__head">
        <ProductImage src={product.images[0]} alt={product.title} className="live-pinned__image" />
        <div>
          <h3 className="live-pinned__title" data-testid="live-pinned-title">
            {product.title}
          </h3>
          {sku && (
            <p className="sheet__price" data-testid="live-price">
              {fmt.money(sku.price)}
            </p>
          )}
        </div>
      </div>
      {product.skus.length > 1 && (
        <div className="chips" role="group" aria-label={product.option_names.join(' / ') || t('live.room.variant')}>
          {product.skus.map((s) => (
            <button
              key={s.sku_id}
              type="button"
              className={`chip${s.available > 0 ? '' : ' chip--unavailable'}`}
              aria-pressed={s.sku_id === sku?.sku_id}
              onClick={() => setSkuId(s.sku_id)}
            >
              {fmt.options(s.option_values)}
            </button>
          ))}
        </div>
      )}
      <p className={`stock-line${left > 0 ? '' : ' stock-line--out'}`} data-testid="live-stock" data-available={left}>
        {left <= 0
          ? t('live.room.soldOut')
          : sku?.allotment
            ? t('live.room.allotmentLeft', { n: fmt.number(left), total: fmt.number(sku.allotment.quantity) })
            : t('live.room.inStock', { n: fmt.number(left) })}
      </p>
      {sku?.allotment && <progress className="live-pinned__bar" max={sku.allotment.quantity} value={sku.allotment.quantity - left} aria-label={t('live.room.claimed')} />}
      <button type="button" className="button button--primary button--block" data-testid="live-buy" disabled={!canBuy || add.isPending} onClick={buy}>
        {add.isPending ? t('live.room.adding') : live.status !== 'live' ? t('live.room.notLive') : left > 0 ? t('live.room.buy') : t('live.room.soldOut')}
      </button>
      <FormError error={add.error} />
    </div>
  );
}

function Purchases({ purchases }: { purchases: Purchase[] }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  if (purchases.length === 0) return <p className="muted">{t('live.room.noPurchases')}</p>;
  return (
    <ul className="live-purchases" data-testid="live-purchases" aria-live="polite">
      {purchases.map((p) => (
        <li key={p.id}>{t('live.room.purchase', { buyer: p.buyer, n: fmt.number(p.quantity), title: p.title })}</li>
      ))}
    </ul>
  );
}

/** For the console: the room's live figures (viewers, stock of the pinned product, purchases). */
export function RoomFigures({ room }: { room: RoomState }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  return (
    <div className="live-figures">
      <p>
        <span className="live-viewers" data-testid="console-viewers" data-count={room.viewers}>
          {t('live.room.viewers', { n: fmt.number(room.viewers) })}
        </span>
      </p>
      {room.pinned && (
        <ul className="live-figures__stock" data-testid="console-stock">
          {room.pinned.skus.map((s) => (
            <li key={s.sku_id} data-sku={s.sku_id} data-available={s.available}>
              <span>{fmt.options(s.option_values) || room.pinned!.title}</span>{' '}
              <strong>
                {s.allotment
                  ? t('live.room.allotmentLeft', { n: fmt.number(s.available), total: fmt.number(s.allotment.quantity) })
                  : t('live.room.inStock', { n: fmt.number(s.available) })}
              </strong>
            </li>
          ))}
        </ul>
      )}
      <Purchases purchases={room.purchases} />
    </div>
  );
}
