import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, useLocation } from 'react-router';
import { useDismiss } from '../lib/dismiss';

export interface Tab {
  to: string;
  labelKey: string;
  /** Active only on exactly this path (an area's index tab). */
  end?: boolean;
}

const IN_ROW = 'tabs__link';
const IN_MENU = 'tabs__panel-link';

const isActive = (tab: Tab, path: string) => path === tab.to || (!tab.end && path.startsWith(`${tab.to}/`));

/**
 * An area's section tabs in one row: as many as fit its width, the rest in a "More" menu; the
 * active section always stays in the row. Widths are measured from an invisible copy of every
 * tab, so a longer language or a narrower window moves tabs into the menu.
 */
export function TabsNav({ tabs, label }: { tabs: Tab[]; label: string }) {
  const { t } = useTranslation();
  const path = useLocation().pathname;
  const row = useRef<HTMLDivElement>(null);
  const measure = useRef<HTMLDivElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const [fit, setFit] = useState(tabs.length);
  const [open, setOpen] = useState(false);
  const close = useCallback(() => setOpen(false), []);
  useDismiss(open, close, menu);

  useLayoutEffect(() => {
    const compute = () => {
      const width = row.current?.clientWidth ?? 0;
      const gap = measure.current ? parseFloat(getComputedStyle(measure.current).columnGap) || 0 : 0;
      const widths = [...(measure.current?.children ?? [])].map((el) => (el as HTMLElement).offsetWidth + gap);
      const more = widths.pop() ?? 0; // the last measured item is the More button
      const total = widths.reduce((a, b) => a + b, 0);
      if (total <= width) return setFit(tabs.length);
      let used = more;
      let n = 0;
      while (n < widths.length && used + widths[n]! <= width) used += widths[n++]!;
      setFit(Math.max(1, n));
    };
    compute();
    const observer = new ResizeObserver(compute);
    if (row.current) observer.observe(row.current);
    return () => observer.disconnect();
  }, [tabs, t]);

  // The active tab stays in the row when it would fall into the menu: it takes the last place.
  const activeIndex = tabs.findIndex((tab) => isActive(tab, path));
  const shown = fit >= tabs.length ? tabs : activeIndex >= fit ? [...tabs.slice(0, fit - 1), tabs[activeIndex]!] : tabs.slice(0, fit);
  const rest = tabs.filter((tab) => !shown.includes(tab));
  const link = (tab: Tab, className: string, onClick?: () => void) => (
    <NavLink key={tab.to} to={tab.to} end={tab.end} className={className} onClick={onClick}>
      {t(tab.labelKey)}
    </NavLink>
  );

  return (
    <div className="tabs-wrap" ref={row}>
      <div className="tabs tabs--measure" ref={measure} aria-hidden="true">
        {tabs.map((tab) => (
          <span key={tab.to} className="tabs__link">
            {t(tab.labelKey)}
          </span>
        ))}
        <span className="tabs__link tabs__more">{t('common.more')}
              <span className="tabs__caret" aria-hidden="true" /></span>
      </div>
      <nav className="tabs" aria-label={label}>
        {shown.map((tab) => link(tab, IN_ROW))}
        {rest.length > 0 && (
          <div className="tabs__menu" ref={menu}>
            <button type="button" className="tabs__link tabs__more" aria-haspopup="true" aria-expanded={open} onClick={() => setOpen((o) => !o)} data-testid="tabs-more">
              {t('common.more')}
              <span className="tabs__caret" aria-hidden="true" />
            </button>
            {open && <div className="tabs__panel">{rest.map((tab) => link(tab, IN_MENU, close))}</div>}
          </div>
        )}
      </nav>
    </div>
  );
}
