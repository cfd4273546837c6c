import { useCallback, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import type { Me } from '../api';
import { formatList } from '../i18n/format';
import { useDismiss } from '../lib/dismiss';
import { useLocale } from '../lib/language';
import { hasRole, useSignOut } from '../lib/session';
import { FormError } from './FormError';

export function AccountMenu({ me }: { me: Me }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const navigate = useNavigate();
  const signOut = useSignOut();

  useDismiss(open, useCallback(() => setOpen(false), []), ref);

  const seller = hasRole(me, 'seller');
  const initial = me.name.trim().charAt(0).toUpperCase() || '?';
  return (
    <div className="account-menu" ref={ref}>
      <button
        type="button"
        className="account-menu__button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={t('account.menu', { name: me.name })}
        data-testid="account-menu"
        onClick={() => setOpen((o) => !o)}
      >
        <span className="avatar" aria-hidden="true">
          {initial}
        </span>
        <span className="account-menu__name">{me.name}</span>
      </button>
      {open && (
        <div className="account-menu__panel" role="menu">
          <div className="account-menu__who">
            <strong>{me.name}</strong>
            <span className="muted">{me.email}</span>
            <span className="muted">{formatList(me.roles.map((r) => t(`roles.${r}`)), locale)}</span>
          </div>
          {!seller && (
            <Link to="/apply" className="account-menu__link" onClick={() => setOpen(false)} data-testid="apply-link">
              {t('account.apply')}
            </Link>
          )}
          <button
            type="button"
            role="menuitem"
            disabled={signOut.isPending}
            onClick={() =>
              signOut.mutate(undefined, {
                onSuccess: () => navigate('/sign-in', { replace: true }),
              })
            }
          >
            {t('account.signOut')}
          </button>
          <FormError error={signOut.error} />
        </div>
      )}
    </div>
  );
}
