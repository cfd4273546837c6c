import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { cartCount, useCart } from '../lib/cart';
import { useFormat } from '../lib/format';
import { CartIcon, HomeIcon, LiveIcon, UserIcon } from './Icons';

/** Buyer pages: the paths under which the phone tab bar shows (`/creators/…` is the buyer's creator page, `/creator` the creator center). */
const BUYER_PATHS = [/^\/feed$/, /^\/live(\/|$)/, /^\/products\//, /^\/creators\//, /^\/cart$/, /^\/orders(\/|$)/, /^\/notifications$/, /^\/me$/];

export function isBuyerPath(pathname: string): boolean {
  return BUYER_PATHS.some((p) => p.test(pathname));
}

/**
 * The phone's bottom tab bar (Home, Live, Cart, Me) on buyer pages; shown at phone width only
 * (styles.css), the top bar's links serve wider screens. Cart and Me ask a visitor to sign in.
 */
export function TabBar() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const count = cartCount(useCart().data);
  return (
    <nav className="tabbar" aria-label={t('tabs.label')} data-testid="tab-bar">
      <Tab to="/feed" icon={<HomeIcon />} label={t('tabs.home')} />
      <Tab to="/live" icon={<LiveIcon />} label={t('tabs.live')} />
      <Tab to="/cart" icon={<CartIcon />} label={t('tabs.cart')} ariaLabel={count > 0 ? t('nav.cartWithCount', { n: fmt.number(count) }) : undefined}>
        {count > 0 && (
          <span className="count-badge" aria-hidden="true">
            {fmt.badge(count)}
          </span>
        )}
      </Tab>
      <Tab to="/me" icon={<UserIcon />} label={t('tabs.me')} />
    </nav>
  );
}

function Tab({ to, icon, label, ariaLabel, children }: { to: string; icon: ReactNode; label: string; ariaLabel?: string; children?: ReactNode }) {
  return (
    <NavLink to={to} className="tabbar__tab" aria-label={ariaLabel} data-testid={`tab-${to.slice(1)}`}>
      <span className="tabbar__icon" aria-hidden="true">
        {icon}
        {children}
      </span>
      <span className="tabbar__label">{label}</span>
    </NavLink>
  );
}
