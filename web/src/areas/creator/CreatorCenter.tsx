import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CoinsIcon, StoreIcon } from '../../components/Icons';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { ShowcaseLinksEditor } from '../../components/ShowcaseLinksEditor';
import { ProductImage } from '../../components/ProductImage';
import { Statement } from '../../components/Statement';
import { VideoList } from '../../components/VideoList';
import { VideoUploader } from '../../components/VideoUploader';
import { content } from '../../lib/content';
import { finance, type CreatorEarnings } from '../../lib/finance';
import { useFormat } from '../../lib/format';
import { useMe } from '../../lib/session';
import { keys } from '../../api/keys';

/** Loads with ECharts, outside the main bundle. */
const CreatorAnalytics = lazy(() => import('./CreatorAnalytics').then((m) => ({ default: m.CreatorAnalytics })));

/** Creator center: post videos with products, the creator's videos, showcase and earnings. */
export function CreatorCenter() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const key = keys.creatorVideos(me?.id);
  return (
    <>
      <PageHeader
        title={t('creator.title')}
        subtitle={t('creator.subtitle')}
        actions={
          <Link to="/creator/live" className="button button--primary" data-testid="creator-live-link">
            {t('live.console.open')}
          </Link>
        }
      />
      <div className="grid grid--split">
        <section className="panel" aria-labelledby="creator-upload">
          <h2 id="creator-upload">{t('uploader.title')}</h2>
          <VideoUploader videosKey={key} />
        </section>
        <section className="panel" aria-labelledby="creator-videos">
          <h2 id="creator-videos">{t('creator.videos.title')}</h2>
          {me && <VideoList creatorId={me.id} queryKey={key} testId="creator-videos" />}
        </section>
      </div>
      <div className="grid grid--2 section-gap">
        <section className="panel" aria-labelledby="creator-showcase">
          <h2 id="creator-showcase">{t('creator.showcase.title')}</h2>
          {me && <ShowcasePreview creatorId={me.id} />}
          {me && (
            <div className="section-gap">
              <ShowcaseLinksEditor userId={me.id} />
            </div>
          )}
        </section>
        <section className="panel" aria-labelledby="creator-earnings">
          <h2 id="creator-earnings">{t('creator.earnings.title')}</h2>
          <Earnings />
        </section>
      </div>
      <div className="section-gap">
        <Suspense fallback={<Loading />}>
          <CreatorAnalytics />
        </Suspense>
      </div>
    </>
  );
}

/** Affiliate commission: pending (estimated), available, paid out, and every line. */
function Earnings() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const q = useInfiniteQuery({
    queryKey: keys.earnings(),
    queryFn: ({ pageParam }) => finance.earnings({ limit: 20, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.lines.next_cursor ?? undefined,
  });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />;
  const pending = q.data.pages[0]!.pending;
  return (
    <div data-testid="creator-earnings">
      <CreatorBalances earnings={q.data.pages[0]!} />
      <p className="muted">{t('creator.earnings.note')}</p>
      <Statement
        perspective="creator"
        lines={q.data.pages.flatMap((p) => p.lines.data)}
        more={q}
        empty={
          // Commission on its way is not "no earnings": say what is coming and when it settles.
          pending.amount > 0 ? (
            <EmptyState title={t('creator.earnings.pendingOnlyTitle')} icon={<CoinsIcon />} testId="creator-earnings-pending-only">
              {t('creator.earnings.pendingOnlyText', { amount: fmt.money(pending) })}
            </EmptyState>
          ) : (
            <EmptyState title={t('creator.earnings.emptyTitle')} icon={<CoinsIcon />} testId="creator-earnings-empty">
              {t('creator.earnings.emptyText')}
            </EmptyState>
          )
        }
      />
    </div>
  );
}

/** The creator's own commission: settled (from their ledger lines), not settled yet, available, paid out. */
function CreatorBalances({ earnings }: { earnings: CreatorEarnings }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const tiles = [
    ['commission', earnings.commission],
    ['pending', earnings.pending],
    ['available', earnings.available],
    ['paidOut', earnings.paid_out],
  ] as const;
  return (
    <dl className="stats" data-testid="balances">
      {tiles.map(([key, amount]) => (
        <div key={key}>
          <dt>{t(`creator.earnings.${key}`)}</dt>
          <dd data-testid={`creator-${key}`}>{fmt.money(amount)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The products on the creator's profile, as buyers see them. */
function ShowcasePreview({ creatorId }: { creatorId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const showcase = useQuery({ queryKey: keys.showcase(creatorId), queryFn: () => content.showcase(creatorId) });
  if (showcase.isPending) return <Loading />;
  if (showcase.isError) return <ErrorAlert error={showcase.error} onRetry={() => void showcase.refetch()} />;
  if (showcase.data.products.length === 0) {
    return (
      <EmptyState title={t('creator.showcase.emptyTitle')} icon={<StoreIcon />} testId="showcase-empty">
        {t('creator.showcase.emptyText')}
      </EmptyState>
    );
  }
  return (
    <ul className="product-grid" data-testid="showcase">
      {showcase.data.products.map((p) => (
        <li key={p.id} className="product-tile">
          <ProductImage src={p.images[0]} alt={p.title} className="product-tile__image" />
          <p className="product-tile__title">{p.title}</p>
          <p className="product-tile__price">{fmt.range(p.price_range)}</p>
          {p.available === 0 && <p className="error-text">{t('product.outOfStock')}</p>}
        </li>
      ))}
    </ul>
  );
}
