import type { Static } from '@sinclair/typebox';
import { DAY, type Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { badRequest } from '../../platform/errors.js';
import { openCaseCounts } from '../aftersales/index.js';
import { fulfillmentIncidentCounts } from '../fulfillment/index.js';
import { orderFiguresByDay } from '../orders/index.js';
import { countApplications, WAITING_APPLICATIONS } from '../sellers/index.js';
import { shopCountsByStatus } from '../sellers/index.js';
import type { OverviewOut } from './views.js';

/**
 * The operator console's overview: one UTC day of platform figures (the platform spans markets
 * and time zones, so its day is the UTC day; each market's own day is on the seller dashboards),
 * the queues as they stand now, and a short daily series of paid orders and GMV.
 */
export const SERIES_DAYS = 14;

export type Overview = Static<typeof OverviewOut>;
export type OverviewDay = Overview['series'][number];

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight UTC of a YYYY-MM-DD date; 400 `invalid_date` for anything that is not a real date. */
export function parseDay(date: string): Date {
  const m = DATE_RE.exec(date);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!d || d.toISOString().slice(0, 10) !== date) throw badRequest('invalid_date', 'date is a calendar day, YYYY-MM-DD', { date });
  return d;
}

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** The figures of `date` (default: today on the platform clock, UTC). */
export async function overview(db: Db, clock: Clock, date?: string): Promise<Overview> {
  const start = date === undefined ? parseDay(dayOf(clock.now())) : parseDay(date);
  const end = new Date(start.getTime() + DAY);
  const seriesStart = new Date(end.getTime() - SERIES_DAYS * DAY);
  const [figures, cases, incidents, applications, shops] = await Promise.all([
    orderFiguresByDay(db, seriesStart, end),
    openCaseCounts(db),
    fulfillmentIncidentCounts(db, start, end),
    countApplications(db, { status: WAITING_APPLICATIONS }),
    shopCountsByStatus(db),
  ]);
  const series: OverviewDay[] = [];
  for (let i = 0; i < SERIES_DAYS; i++) {
    const day = dayOf(new Date(seriesStart.getTime() + i * DAY));
    const rows = figures.filter((f) => f.day === day);
    series.push({
      date: day,
      orders: rows.reduce((n, r) => n + r.placed, 0),
      paid_orders: rows.reduce((n, r) => n + r.paid, 0),
      gmv: rows.filter((r) => r.paid > 0).map((r) => ({ amount: r.paid_total, currency: r.currency })),
    });
  }
  const today = series[series.length - 1]!;
  return {
    date: today.date,
    timezone: 'UTC',
    gmv: today.gmv,
    orders: today.orders,
    paid_orders: today.paid_orders,
    open_cases: cases.open,
    escalated_cases: cases.escalated,
    sla_breaches: incidents.sla_breaches,
    flags: incidents.flags,
    open_flags: incidents.open_flags,
    new_applications: applications,
    shops,
    series,
  };
}
