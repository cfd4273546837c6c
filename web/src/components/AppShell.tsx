import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, NavLink, Outlet, useLocation, useMatch } from 'react-router';
import type { Me, Role } from '../api';
import { useAccountLocaleSync } from '../lib/language';
import { useErrorMessage } from '../lib/errors';
import { cartCount, useCart } from '../lib/cart';
import { useFormat } from '../lib/format';
import { signInPath } from '../lib/returnPath';
import { hasRole, useMe } from '../lib/session';
import { AccountMenu } from './AccountMenu';
import { CartIcon, ReceiptIcon } from './Icons';
import { ToastProvider } from './Toast';
import { LanguageSwitcher } from './LanguageSwitcher';
import { Loading } from './Loading';
import { NotificationsLink } from './NotificationsLink';
import { isBuyerPath, TabBar, usePhoneWidth } from './TabBar';

interface NavItem {
  to: string;
  labelKey: string;
  role?: Role;
}

/** Everyone has the feed, signed in or not; the other areas need their role. */
export const NAV_ITEMS: NavItem[] = [
  { to: '/feed', labelKey: 'nav.feed' },
  { to: '/seller', labelKey: 'nav.seller', role: 'seller' },
  { to: '/creator', labelKey: 'nav.creator', role: 'creator' },
  { to: '/operator', labelKey: 'nav.operator', role: 'operator' },
];

export function navItemsFor(me: Me | null): NavItem[] {
  return NAV_ITEMS.filter((i) => !i.role || hasRole(me, i.role));
}

/**
 * The app's frame: navigation for the user's roles, language, account menu — or, signed out, a
 * "Sign in" link (anyone can watch: feed, live rooms, product and creator pages). Buyer pages get
 * the phone tab bar.
 */
export function AppShell() {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const location = useLocation();
  const me = useMe();
  const onFeed = !!useMatch('/feed');
  // Buyer pages on a phone: the bottom tab bar (with the cart), not the top bar's cart.
  const tabs = usePhoneWidth() && isBuyerPath(location.pathname);
  useAccountLocaleSync(me.data);

  if (me.isPending) return <Loading />;
  if (me.isError) {
    return (
      <div className="page-error" role="alert">
        <p>{errorMessage(me.error)}</p>
        <button type="button" className="button" onClick={() => void me.refetch()}>
          {t('common.retry')}
        </button>
      </div>
    );
  }
  const user = me.data;

  return (
    <ToastProvider>
    <div className={`shell${onFeed ? ' shell--full' : ''}${tabs ? ' shell--tabs' : ''}`}>
      <header className="topbar">
        <div className="topbar__inner">
          <NavLink to="/feed" className="brand">
            <span className="brand__mark" aria-hidden="true" />
            {t('app.name')}
          </NavLink>
          <nav aria-label={t('nav.label')} className="nav">
            {navItemsFor(user).map((item) => (
              <NavLink key={item.to} to={item.to} className="nav__link">
                {t(item.labelKey)}
              </NavLink>
            ))}
          </nav>
          {user ? (
            <div className="topbar__tools">
              <NavLink to="/orders" className="tool-link" aria-label={t('nav.orders')} title={t('nav.orders')}>
                <ReceiptIcon />
                <span className="tool-link__text">{t('nav.orders')}</span>
              </NavLink>
              <NotificationsLink />
              {!tabs && <CartLink />}
              <LanguageSwitcher />
              <AccountMenu me={user} />
            </div>
          ) : (
            <div className="topbar__tools">
              <LanguageSwitcher />
              <Link to={signInPath(location.pathname + location.search)} className="button button--small button--primary" data-testid="sign-in-link">
                {t('visitor.signIn')}
              </Link>
            </div>
          )}
        </div>
      </header>
      <main className={onFeed ? 'content content--full' : 'content'}>
        <Outlet />
      </main>
      {tabs && <TabBar />}
    </div>
    </ToastProvider>
  );
}

/** The cart with a badge counting its units. */
function CartLink() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const cart = useCart();
  const count = cartCount(cart.data);
  return (
    <NavLink to="/cart" className="tool-link" aria-label={t('nav.cartWithCount', { count, n: fmt.number(count) })} title={t('nav.cart')} data-testid="cart-link">
      <CartIcon />
      <span className="tool-link__text">{t('nav.cart')}</span>
      {count > 0 && (
        <span className="count-badge" data-testid="cart-count" aria-hidden="true">
          {fmt.badge(count)}
        </span>
      )}
    </NavLink>
  );
}

/** Pages of an account (cart, orders, …): a visitor signs in first and comes back here. */
export function RequireSignIn({ children }: { children?: ReactNode }) {
  const { data: me } = useMe();
  const location = useLocation();
  if (!me) return <Navigate to={signInPath(location.pathname + location.search)} replace />;
  return <>{children ?? <Outlet />}</>;
}

/** Areas a role does not have send the user to the feed (a visitor: to sign in first). */
export function RequireRole({ role, children }: { role: Role; children: ReactNode }) {
  const { data: me } = useMe();
  if (!me) return <RequireSignIn />;
  if (!hasRole(me, role)) return <Navigate to="/feed" replace />;
  return <>{children}</>;
}
