import { useInfiniteQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FeedVideo } from './components/FeedVideo';
import { VideoIcon } from '../../components/Icons';
import { Loading } from '../../components/Loading';
import { ProductSheet } from './components/ProductSheet';
import type { ProductSummary } from '../../lib/commerce';
import { content, type Video } from '../../lib/content';
import { LiveNowLink } from './LiveList';
import { keys } from '../../api/keys';

const PAGE_SIZE = 8;

/**
 * Buyer feed: one shoppable video per screen, scroll or swipe (or ↑/↓) to the next; the next page
 * loads on the way, and after the last video the feed says it has ended. Anyone can watch.
 */
export function Feed() {
  const { t } = useTranslation();
  const feed = useInfiniteQuery({
    queryKey: keys.feed(),
    queryFn: ({ pageParam }) => content.feed({ limit: PAGE_SIZE, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const videos = feed.data?.pages.flatMap((p) => p.data) ?? [];

  useEffect(() => {
    document.title = `${t('feed.title')} · ${t('app.name')}`;
  }, [t]);

  return (
    <div className="feed-page">
      <h1 className="visually-hidden">{t('feed.title')}</h1>
      <LiveNowLink />
      {feed.isPending ? (
        <div className="feed-page__state feed-page__state--dark">
          <Loading />
        </div>
      ) : feed.isError ? (
        <div className="feed-page__state">
          <ErrorAlert error={feed.error} onRetry={() => void feed.refetch()} />
        </div>
      ) : videos.length === 0 ? (
        <div className="feed-page__state">
          <section className="panel">
            <EmptyState title={t('feed.empty.title')} icon={<VideoIcon />} testId="feed-empty">
              {t('feed.empty.text')}
            </EmptyState>
          </section>
        </div>
      ) : (
        <VideoScroller
          videos={videos}
          loadingMore={feed.isFetchingNextPage}
          ended={!feed.hasNextPage}
          onNearEnd={() => {
            if (feed.hasNextPage && !feed.isFetchingNextPage) void feed.fetchNextPage();
          }}
        />
      )}
    </div>
  );
}

function VideoScroller({ videos, loadingMore, ended, onNearEnd }: { videos: Video[]; loadingMore: boolean; ended: boolean; onNearEnd: () => void }) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const [muted, setMuted] = useState(true);
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState<{ product: ProductSummary; video: Video } | null>(null);

  const onVisible = useCallback((index: number) => setActive(index), []);
  const toggleSound = useCallback(() => setMuted((m) => !m), []);

  useEffect(() => {
    if (active >= videos.length - 2) onNearEnd();
  }, [active, videos.length, onNearEnd]);

  // ↑/↓ move between videos (not while the product sheet is open or a field has focus).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (open || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp')) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest('input, select, textarea, [contenteditable="true"]')) return;
      const el = scroller.current;
      if (!el) return;
      e.preventDefault();
      const next = Math.max(0, Math.min(el.children.length - 1, active + (e.key === 'ArrowDown' ? 1 : -1)));
      const item = el.children[next] as HTMLElement | undefined;
      if (item) el.scrollTo({ top: item.offsetTop, behavior: 'smooth' });
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open, active]);

  const closeSheet = useCallback(() => setOpen(null), []);

  return (
    <>
      <div ref={scroller} className="feed" role="feed" aria-busy={loadingMore} aria-label={t('feed.title')} data-active-index={active}>
        {videos.map((video, index) => (
          <FeedVideo
            key={video.id}
            video={video}
            index={index}
            total={videos.length}
            muted={muted}
            near={Math.abs(index - active) <= 1}
            onToggleSound={toggleSound}
            onVisible={onVisible}
            onOpenProduct={(product) => setOpen({ product, video })}
          />
        ))}
        {ended && <FeedEnd count={videos.length} onVisible={onVisible} onTop={() => scroller.current?.scrollTo({ top: 0 })} />}
      </div>
      {open && (
        <ProductSheet
          summary={open.product}
          poster={open.video.poster_url}
          source={{ video_id: open.video.id }}
          creatorId={open.video.creator.id}
          onClose={closeSheet}
        />
      )}
    </>
  );
}

/** After the last video: the feed has ended (new videos show up as creators post them). */
function FeedEnd({ count, onVisible, onTop }: { count: number; onVisible: (index: number) => void; onTop: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new IntersectionObserver(([entry]) => {
      if (entry && entry.intersectionRatio >= 0.6) onVisible(count);
    }, { threshold: [0.6] });
    observer.observe(el);
    return () => observer.disconnect();
  }, [count, onVisible]);
  return (
    <section ref={ref} className="feed-end" data-testid="feed-end" aria-labelledby="feed-end-title">
      <VideoIcon />
      <h2 id="feed-end-title">{t('feed.end.title')}</h2>
      <p>{t('feed.end.text')}</p>
      <div className="feed-end__actions">
        <button type="button" className="button button--primary" onClick={onTop}>
          {t('feed.end.top')}
        </button>
        <Link to="/live" className="button">
          {t('feed.end.live')}
        </Link>
      </div>
    </section>
  );
}
