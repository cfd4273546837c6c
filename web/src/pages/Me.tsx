import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { formatList } from '../i18n/format';
import { navItemsFor } from '../components/AppShell';
import { FormError } from '../components/FormError';
import { LanguageSwitcher } from '../components/LanguageSwitcher';
import { PageHeader } from '../components/PageHeader';
import { useLocale } from '../lib/language';
import { hasRole, useMe, useSignOut } from '../lib/session';

/** "Me", the phone tab bar's account page: who is signed in, their pages, language, sign out. */
export function Me() {
  const { t } = useTranslation();
  const locale = useLocale();
  const navigate = useNavigate();
  const signOut = useSignOut();
  const { data: me } = useMe();
  if (!me) return null;
  const links = [
    { to: '/orders', label: t('nav.orders') },
    { to: '/notifications', label: t('notifications.link') },
    ...navItemsFor(me)
      .filter((i) => i.role)
      .map((i) => ({ to: i.to, label: t(i.labelKey) })),
    ...(hasRole(me, 'seller') ? [] : [{ to: '/apply', label: t('account.apply') }]),
  ];
  return (
    <div data-testid="me-page">
      <PageHeader title={me.name} subtitle={`${me.email} · ${formatList(me.roles.map((r) => t(`roles.${r}`)), locale)}`} />
      <section className="panel">
        <ul className="me-links">
          {links.map((l) => (
            <li key={l.to}>
              <Link to={l.to}>{l.label}</Link>
            </li>
          ))}
        </ul>
      </section>
      <section className="panel section-gap me-tools">
        <LanguageSwitcher />
        <button
          type="button"
          className="button"
          disabled={signOut.isPending}
          onClick={() => signOut.mutate(undefined, { onSuccess: () => navigate('/sign-in', { replace: true }) })}
        >
          {t('account.signOut')}
        </button>
        <FormError error={signOut.error} />
      </section>
    </div>
  );
}
