import { useTranslation } from 'react-i18next';
import type { ExternalAnchor } from '../lib/content';
import { StoreIcon } from './Icons';

/**
 * An external store link as buyers see it: "Visit store", opening `out_url` (`/out/<anchor>`, which
 * records the click-out before redirecting; never the raw URL) in a new tab.
 */
export function VisitStoreLink({ anchor, className }: { anchor: Pick<ExternalAnchor, 'id' | 'title' | 'out_url'>; className: string }) {
  const { t } = useTranslation();
  return (
    <a
      href={anchor.out_url}
      target="_blank"
      rel="noopener noreferrer"
      className={`${className} visit-store`}
      data-testid="visit-store"
      data-anchor-id={anchor.id}
      aria-label={anchor.title ? t('externalLinks.visitNamed', { title: anchor.title }) : t('externalLinks.visit')}
    >
      <span className="anchor-button__icon" aria-hidden="true">
        <StoreIcon />
      </span>
      <span className="anchor-button__text">
        <span className="anchor-button__title">{t('externalLinks.visit')}</span>
        {anchor.title && <span className="anchor-button__price">{anchor.title}</span>}
      </span>
    </a>
  );
}
