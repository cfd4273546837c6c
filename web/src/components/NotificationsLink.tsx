import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { useUnreadCount } from '../lib/closing';
import { useFormat } from '../lib/format';
import '../closing.css';

const BellIcon = () => (
  <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
    <path d="M6 16V11a6 6 0 1 1 12 0v5l1.5 2h-15z" />
    <path d="M10 20a2 2 0 0 0 4 0" />
  </svg>
);

/** The top bar's notifications link, with a badge counting the unread ones. */
export function NotificationsLink() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { count, more } = useUnreadCount(true);
  const shown = more ? `${fmt.number(count - 1)}+` : fmt.number(count);
  return (
    <NavLink
      to="/notifications"
      className="tool-link tool-link--bell"
      aria-label={count > 0 ? t('notifications.linkWithCount', { n: shown }) : t('notifications.link')}
      title={t('notifications.link')}
      data-testid="notifications-link"
    >
      <BellIcon />
      <span className="tool-link__text">{t('notifications.link')}</span>
      {count > 0 && (
        <span className="count-badge" data-testid="unread-count" aria-hidden="true">
          {shown}
        </span>
      )}
    </NavLink>
  );
}
