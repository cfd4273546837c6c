import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useParams } from 'react-router';
import { ApiError } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormError } from '../../components/FormError';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { useToast } from '../../components/Toast';
import { ExternalLinksEditor } from '../../components/ExternalLinksEditor';
import { content, externalAnchors, MAX_VIDEO_ANCHORS, productAnchors, type Video } from '../../lib/content';
import { hasRole, useMe } from '../../lib/session';
import '../../closing.css';
import { keys } from '../../api/keys';

/**
 * Edit one of your videos (`/videos/:id/edit`): its caption, e.g. after a cut-over flagged it (the
 * external links it still carries are listed while typing), and, while the market is
 * semi-closed, its external store links; the anchors show what is on and off.
 */
export function VideoEdit() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const video = useQuery({ queryKey: keys.videoEdit(id), queryFn: () => content.video(id) });
  return (
    <>
      <PageHeader title={t('videoEdit.title')} subtitle={t('videoEdit.subtitle')} />
      <section className="panel">
        {video.isPending ? <Loading /> : video.isError ? <ErrorAlert error={video.error} onRetry={() => void video.refetch()} /> : <CaptionForm video={video.data} />}
      </section>
      {video.data && (
        <section className="panel section-gap">
          <VideoLinks video={video.data} />
        </section>
      )}
    </>
  );
}

function CaptionForm({ video }: { video: Video }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const toast = useToast();
  const { data: me } = useMe();
  // Back where the user came from (their videos, Replace links); a notification's link brings no state.
  const from = (useLocation().state as { from?: string } | null)?.from;
  const [caption, setCaption] = useState(video.caption);
  const [checked, setChecked] = useState(video.caption);
  useEffect(() => {
    const timer = setTimeout(() => setChecked(caption), 400);
    return () => clearTimeout(timer);
  }, [caption]);
  const links = useQuery({ queryKey: keys.linkCheck(checked), queryFn: () => content.checkLinks(checked), enabled: checked.trim() !== '' });
  const save = useMutation({
    mutationFn: () => content.editCaption(video.id, caption),
    onSuccess: (next) => {
      qc.setQueryData(keys.videoEdit(video.id), next);
      void qc.invalidateQueries({ queryKey: keys.creatorVideos() });
      toast({ text: t('videoEdit.saved') });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const spans = checked.trim() === '' ? [] : (links.data?.spans ?? []);
  const refused = save.error instanceof ApiError && save.error.code === 'external_link_forbidden';
  // Active store links are edited below (semi-closed markets); the ones the cut-over turned off are listed here.
  const external = video.anchors.flatMap((a) => (a.type === 'external' && !a.active ? [a] : []));
  const seller = hasRole(me, 'seller');
  return (
    <div className="stack" data-testid="video-edit">
      {video.caption_flagged && (
        <p className="alert alert--warn" data-testid="caption-flagged">
          {t('videoEdit.flagged')}
        </p>
      )}
      <form className="form" onSubmit={submit} noValidate>
        <div className={`field${refused ? ' field--invalid' : ''}`}>
          <label htmlFor="video-caption">{t('videoEdit.caption')}</label>
          <textarea id="video-caption" rows={4} maxLength={2200} value={caption} onChange={(e) => setCaption(e.target.value)} aria-describedby="video-caption-links" />
          <div id="video-caption-links" className={spans.length > 0 ? 'field__error' : 'field__hint'} aria-live="polite">
            {spans.length === 0 ? (
              t('videoEdit.noLinks')
            ) : (
              <>
                {links.data?.forbidden ? t('videoEdit.linksForbidden') : t('videoEdit.linksFound')}
                <ul className="link-list">
                  {spans.map((s) => (
                    <li key={`${s.start}-${s.end}`} className="url">
                      {s.text}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        </div>
        <FormError error={save.error} />
        <div className="button-row">
          <button type="submit" className="button button--primary" disabled={save.isPending || caption === video.caption} data-testid="save-caption">
            {t('videoEdit.save')}
          </button>
          <Link to={from ?? '/notifications'} data-testid="video-edit-back">
            {from ? t('videoEdit.back') : t('videoEdit.backToNotifications')}
          </Link>
        </div>
      </form>
      {external.length > 0 && (
        <div>
          <h2>{t('videoEdit.externalAnchors')}</h2>
          <ul className="link-list">
            {external.map((a) => (
              <li key={a.id}>
                {a.title && <strong>{a.title}</strong>} <span className="url">{a.url}</span> <span className="badge badge--neutral">{t('videoEdit.anchorOff')}</span>
              </li>
            ))}
          </ul>
          {seller && (
            <p>
              <Link to="/seller/anchors">{t('notifications.cutover.replace')}</Link>
            </p>
          )}
        </div>
      )}
    </div>
  );
}

/** The video's external store links (semi-closed markets); products and links together at most MAX_VIDEO_ANCHORS. */
function VideoLinks({ video }: { video: Video }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  return (
    <ExternalLinksEditor
      key={video.id}
      initial={externalAnchors(video)}
      max={Math.max(0, MAX_VIDEO_ANCHORS - productAnchors(video).length)}
      save={(links) => content.setVideoLinks(video.id, links)}
      onSaved={(next) => {
        qc.setQueryData(keys.videoEdit(video.id), next);
        void qc.invalidateQueries({ queryKey: keys.creatorVideos() });
        void qc.invalidateQueries({ queryKey: keys.feed() });
      }}
      testId="video-links"
      title={t('externalLinks.videoTitle')}
      hint={t('externalLinks.videoHint')}
    />
  );
}
