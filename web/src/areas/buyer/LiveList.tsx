import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { VideoIcon } from '../../components/Icons';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { ProductImage } from '../../components/ProductImage';
import { useFormat } from '../../lib/format';
import { live, type LiveSession } from '../../lib/live';
import { LiveBadge } from './LiveRoom';
import './live.css';
import { keys } from '../../api/keys';

/** Lives now, and the ones coming up. */
export function LiveList() {
  const { t } = useTranslation();
  const now = useQuery({ queryKey: keys.live('live'), queryFn: () => live.list({ status: 'live', limit: 50 }), refetchInterval: 15_000 });
  const upcoming = useQuery({ queryKey: keys.live('scheduled'), queryFn: () => live.list({ status: 'scheduled', limit: 20 }) });
  return (
    <>
      <PageHeader title={t('live.list.title')} subtitle={t('live.list.subtitle')} />
      <section className="panel" aria-labelledby="live-now">
        <h2 id="live-now">{t('live.list.now')}</h2>
        {now.isPending ? (
          <Loading />
        ) : now.isError ? (
          <ErrorAlert error={now.error} onRetry={() => void now.refetch()} />
        ) : now.data.data.length === 0 ? (
          <EmptyState title={t('live.list.emptyTitle')} icon={<VideoIcon />} testId="live-list-empty">
            {t('live.list.emptyText')}
          </EmptyState>
        ) : (
          <Sessions list={now.data.data} testId="live-list" />
        )}
      </section>
      {upcoming.data && upcoming.data.data.length > 0 && (
        <section className="panel section-gap" aria-labelledby="live-upcoming">
          <h2 id="live-upcoming">{t('live.list.upcoming')}</h2>
          <Sessions list={upcoming.data.data} testId="live-upcoming-list" />
        </section>
      )}
    </>
  );
}

function Sessions({ list, testId }: { list: LiveSession[]; testId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  return (
    <ul className="live-cards" data-testid={testId}>
      {list.map((s) => {
        const pinned = s.products.find((p) => p.id === s.pinned_product_id) ?? s.products[0];
        return (
          <li key={s.id}>
            <Link to={`/live/${s.id}`} className="live-card" data-testid="live-card">
              <ProductImage src={pinned?.images[0]} alt={pinned?.title ?? s.title} className="live-card__image" />
              <span className="live-card__text">
                <span className="live-card__title">{s.title}</span>
                <span className="muted">{t('live.room.by', { name: s.creator.name })}</span>
                {s.status === 'scheduled' ? (
                  <span className="muted">{t('live.room.startsAt', { at: fmt.dateTime(s.scheduled_at) })}</span>
                ) : (
                  pinned && <span className="muted">{t('live.list.pinned', { title: pinned.title })}</span>
                )}
              </span>
              <LiveBadge status={s.status} />
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

/** A small "Live now" link for the feed: shown only while someone is live. */
export function LiveNowLink() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const now = useQuery({ queryKey: keys.live('live'), queryFn: () => live.list({ status: 'live', limit: 50 }), refetchInterval: 30_000 });
  const count = now.data?.data.length ?? 0;
  if (count === 0) return null;
  return (
    <Link to="/live" className="live-now-link" data-testid="live-now-link">
      <span className="live-now-link__dot" aria-hidden="true" />
      {t('live.list.liveNow', { n: fmt.number(count) })}
    </Link>
  );
}
