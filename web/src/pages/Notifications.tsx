import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { FormError } from '../components/FormError';
import { PageHeader } from '../components/PageHeader';
import { PagedList } from '../components/PagedList';
import { formatRegion } from '../i18n/format';
import { toLocale } from '../i18n';
import { closing, cutoverNotice, type CutoverNotice, type Notification } from '../lib/closing';
import { useFormat } from '../lib/format';
import { usePaged } from '../lib/paging';
import { hasRole, useMe } from '../lib/session';
import '../closing.css';
import { keys } from '../api/keys';

/** Your notifications, newest first: unread ones marked, each can be marked read. */
export function Notifications() {
  const { t, i18n } = useTranslation();
  const locale = toLocale(i18n.language);
  // Titles and bodies come in the language shown (the server's templates, en and zh-CN).
  const list = usePaged([...keys.notifications('list'), locale], (cursor) => closing.notifications({ limit: 20, cursor, locale }));
  return (
    <>
      <PageHeader title={t('notifications.title')} subtitle={t('notifications.subtitle')} />
      <section className="panel" aria-label={t('notifications.title')}>
        <PagedList list={list} emptyTitle={t('notifications.emptyTitle')} emptyText={t('notifications.emptyText')} testId="notifications">
          {(rows) => (
            <ul className="case-list">
              {rows.map((n) => (
                <NotificationItem key={n.id} notification={n} />
              ))}
            </ul>
          )}
        </PagedList>
      </section>
    </>
  );
}

function NotificationItem({ notification: n }: { notification: Notification }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const qc = useQueryClient();
  const read = useMutation({
    mutationFn: () => closing.markRead(n.id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.notifications() }),
  });
  const unread = n.read_at === null;
  const cutover = cutoverNotice(n);
  return (
    <li className={`notification${unread ? ' notification--unread' : ''}`} data-testid="notification" data-type={n.type} data-unread={unread}>
      <div className="notification__head">
        <p className="notification__title">
          {unread && <span className="visually-hidden">{t('notifications.unread')}</span>}
          {cutover ? t('notifications.cutover.title', { market: formatRegion(cutover.market, fmt.locale) }) : <span lang={n.locale}>{n.title}</span>}
        </p>
        <span className="muted">{fmt.dateTime(n.created_at)}</span>
      </div>
      {cutover ? <CutoverDetails notice={cutover} /> : <p className="notification__body" lang={n.locale}>{n.body}</p>}
      <div className="button-row">
        {!cutover && n.link && (
          // Opening it is reading it.
          <Link to={n.link} className="button button--small button--primary" data-testid="notification-open" onClick={() => unread && read.mutate()}>
            {t('notifications.open')}
          </Link>
        )}
        {unread ? (
          <button type="button" className="button button--small" disabled={read.isPending} onClick={() => read.mutate()} data-testid="mark-read">
            {t('notifications.markRead')}
          </button>
        ) : (
          <span className="muted">{t('notifications.readAt', { time: fmt.dateTime(n.read_at!) })}</span>
        )}
      </div>
      <FormError error={read.error} />
    </li>
  );
}

/** What a cut-over turned off, with where to fix each: replace anchors, edit captions. */
function CutoverDetails({ notice }: { notice: CutoverNotice }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { data: me } = useMe();
  const seller = hasRole(me, 'seller');
  return (
    <div className="stack">
      <p className="notification__body">
        {t('notifications.cutover.body', { market: formatRegion(notice.market, fmt.locale), anchors: t('notifications.cutover.anchors', { count: notice.anchors.length, n: fmt.number(notice.anchors.length) }),
          captions: t('notifications.cutover.captions', { count: notice.flagged_videos.length, n: fmt.number(notice.flagged_videos.length) }),
        })}
      </p>
      {notice.anchors.length > 0 && (
        <div>
          <h4>{t('notifications.cutover.anchorsOff')}</h4>
          <ul className="link-list" data-testid="anchors-off">
            {notice.anchors.map((a) => (
              <li key={a.id}>
                <span className="muted">{a.kind === 'showcase_link' ? t('notifications.cutover.showcaseLink') : t('notifications.cutover.videoAnchor')}</span>{' '}
                {a.title && <strong>{a.title}</strong>} <span className="url">{a.url}</span>{' '}
                {a.video_id && <Link to={`/videos/${a.video_id}/edit`}>{t('notifications.cutover.openVideo')}</Link>}
              </li>
            ))}
          </ul>
          <p>
            {seller ? (
              <Link to="/seller/anchors" className="button button--small button--primary" data-testid="replace-anchors-link">
                {t('notifications.cutover.replace')}
              </Link>
            ) : (
              <span className="muted">{t('notifications.cutover.replaceHint')}</span>
            )}
          </p>
        </div>
      )}
      {notice.flagged_videos.length > 0 && (
        <div>
          <h4>{t('notifications.cutover.captions')}</h4>
          <ul className="link-list" data-testid="captions-to-edit">
            {notice.flagged_videos.map((id, i) => (
              <li key={id}>
                <Link to={`/videos/${id}/edit`}>{t('notifications.cutover.editCaption', { n: fmt.number(i + 1) })}</Link>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
