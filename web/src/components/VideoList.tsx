import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { content, externalAnchors, productAnchors, type Video } from '../lib/content';
import { useFormat } from '../lib/format';
import { EmptyState } from './EmptyState';
import { ErrorAlert } from './ErrorAlert';
import { VideoIcon } from './Icons';
import { Loading } from './Loading';
import { StatusBadge } from './StatusBadge';

/** A creator's (or seller's) own videos with their status, refreshed while any is processing. */
export function VideoList({ creatorId, queryKey, testId }: { creatorId: string; queryKey: readonly unknown[]; testId: string }) {
  const { t } = useTranslation();
  // The video's page leads back here (the creator center or the seller's videos).
  const { pathname } = useLocation();
  const fmt = useFormat();
  const videos = useQuery({
    queryKey,
    queryFn: () => content.creatorVideos(creatorId, { limit: 50 }),
    refetchInterval: (q) => (q.state.data?.data.some((v) => v.status === 'processing') ? 2000 : false),
  });
  if (videos.isPending) return <Loading />;
  if (videos.isError) return <ErrorAlert error={videos.error} onRetry={() => void videos.refetch()} />;
  if (videos.data.data.length === 0) {
    return (
      <EmptyState title={t('videos.emptyTitle')} icon={<VideoIcon />} testId={`${testId}-empty`}>
        {t('videos.emptyText')}
      </EmptyState>
    );
  }
  return (
    <ul className="video-list" data-testid={testId}>
      {videos.data.data.map((v) => (
        <li key={v.id} className="video-row" data-testid="video-row" data-status={v.status}>
          <div className="video-row__poster">
            {v.poster_url ? <img src={v.poster_url} alt={t('videos.posterAlt', { caption: v.caption })} loading="lazy" /> : <VideoIcon />}
            {v.duration_ms ? <span className="video-row__duration">{fmt.duration(v.duration_ms)}</span> : null}
          </div>
          <div className="video-row__info">
            <p className="video-row__caption">{v.caption || t('videos.noCaption')}</p>
            <p className="muted video-row__products">{productAnchors(v).length > 0 ? fmt.list(productAnchors(v).map((p) => p.title)) : t('videos.noProducts')}</p>
            {v.status === 'failed' && (
              <p className="error-text">{t('videos.failedBecause', { reason: t(`videoFailure.${v.failure_reason ?? 'unknown'}`, { defaultValue: v.failure_reason ?? '' }) })}</p>
            )}
            {v.can_retry && <RetryVideo video={v} queryKey={queryKey} />}
            {externalAnchors(v).length > 0 && <p className="muted">{t('externalLinks.count', { count: externalAnchors(v).length })}</p>}
            {v.created_at && <p className="muted video-row__date">{fmt.dateTime(v.created_at)}</p>}
            <div className="button-row">
              <Link to={`/videos/${v.id}/edit`} state={{ from: pathname }} data-testid="video-edit-link">
                {t('videos.edit')}
              </Link>
              <DeleteVideo video={v} queryKey={queryKey} />
            </div>
          </div>
          <StatusBadge kind="videoStatus" status={v.status} />
        </li>
      ))}
    </ul>
  );
}

/** The owner's retry of a video that failed on our side: processing starts again. */
function RetryVideo({ video, queryKey }: { video: Video; queryKey: readonly unknown[] }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const retry = useMutation({
    mutationFn: () => content.retry(video.id),
    onSettled: () => queryClient.invalidateQueries({ queryKey }),
  });
  return (
    <div className="video-row__retry">
      <p className="muted">{t('videos.retryHint')}</p>
      <button type="button" className="button button--small" data-testid="video-retry" disabled={retry.isPending} onClick={() => retry.mutate()}>
        {retry.isPending ? t('videos.retrying') : t('videos.retry')}
      </button>
      {retry.isError && <ErrorAlert error={retry.error} />}
    </div>
  );
}

/** Deleting one of the owner's videos, after a confirmation: it leaves the list and the feed. */
function DeleteVideo({ video, queryKey }: { video: Video; queryKey: readonly unknown[] }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: () => content.remove(video.id),
    onSuccess: () => setConfirming(false),
    onSettled: () => queryClient.invalidateQueries({ queryKey }),
  });
  if (!confirming) {
    return (
      <button type="button" className="button button--small" data-testid="video-delete" onClick={() => setConfirming(true)}>
        {t('videos.delete')}
      </button>
    );
  }
  return (
    <div className="alert alert--warn" role="alertdialog" aria-labelledby={`delete-${video.id}`} data-testid="video-delete-confirm">
      <p id={`delete-${video.id}`}>{t('videos.deleteConfirm')}</p>
      <div className="button-row">
        <button type="button" className="button button--small button--danger" data-testid="video-delete-yes" disabled={remove.isPending} onClick={() => remove.mutate()}>
          {remove.isPending ? t('videos.deleting') : t('videos.delete')}
        </button>
        <button type="button" className="button button--small" disabled={remove.isPending} onClick={() => setConfirming(false)}>
          {t('videos.keep')}
        </button>
      </div>
      {remove.isError && <ErrorAlert error={remove.error} />}
    </div>
  );
}
