import { useSyncExternalStore, type ReactNode } from 'react';
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

/** Phone width: the same breakpoint as the phone rules in styles.css. */
const PHONE_QUERY = '(max-width: 640px)';
const phoneMedia = () => (typeof window === 'undefined' ? null : window.matchMedia(PHONE_QUERY));

/** Whether the screen is phone-wide now (follows rotation and resizing). */
export function usePhoneWidth(): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const media = phoneMedia();
      media?.addEventListener('change', onChange);
      return () => media?.removeEventListener('change', onChange);
    },
    () => phoneMedia()?.matches ?? false,
  );
}

/**
 * The phone's bottom tab bar (Home, Live, Cart, Me) on buyer pages at phone width (the top bar's
 * links serve wider screens, and its cart gives way to this one). Cart and Me ask a visitor to sign in.
 */
export function TabBar() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const count = cartCount(useCart().data);
  return (
    <nav className="tabbar" aria-label={t('tabs.label')} data-testid="tab-bar">
      <Tab to="/feed" icon={<HomeIcon />} label={t('tabs.home')} />
      <Tab to="/live" icon={<LiveIcon />} label={t('tabs.live')} />
      <Tab to="/cart" icon={<CartIcon />} label={t('tabs.cart')} testId="cart-link" ariaLabel={count > 0 ? t('nav.cartWithCount', { count, n: fmt.number(count) }) : undefined}>
        {count > 0 && (
          <span className="count-badge" data-testid="cart-count" aria-hidden="true">
            {fmt.badge(count)}
          </span>
        )}
      </Tab>
      <Tab to="/me" icon={<UserIcon />} label={t('tabs.me')} />
    </nav>
  );
}

function Tab({ to, icon, label, ariaLabel, testId, children }: { to: string; icon: ReactNode; label: string; ariaLabel?: string; testId?: string; children?: ReactNode }) {
  return (
    <NavLink to={to} className="tabbar__tab" aria-label={ariaLabel} data-testid={testId ?? `tab-${to.slice(1)}`}>
      <span className="tabbar__icon" aria-hidden="true">
        {icon}
        {children}
      </span>
      <span className="tabbar__label">{label}</span>
    </NavLink>
  );
}
