import { Type } from '@sinclair/typebox';
import { Money } from '../../platform/http-schemas.js';
import { LINK_POLICY_MODES } from './service.js';

/** Schemas of the link policy, shared by the links routes and the cut-over flow's. */
export const Mode = Type.Union(LINK_POLICY_MODES.map((m) => Type.Literal(m)));
export const MarketParam = Type.Object({ market: Type.String({ pattern: '^[A-Z]{2}$' }) });

/** A market's link policy as the API shows it. */
export const LinkPolicy = Type.Object({
  market: Type.String(),
  mode: Mode,
  cutover_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Scheduled (mode still semi_closed) or done (mode closed)' }),
  clicks: Type.Object({ count: Type.Integer(), cost: Type.Ref(Money) }, { description: 'Click-outs recorded in the market and their cost' }),
  last_cutover: Type.Union([
    Type.Object({
      market: Type.String(),
      at: Type.String({ format: 'date-time' }),
      anchors_deactivated: Type.Integer(),
      video_anchors_deactivated: Type.Optional(Type.Integer()),
      store_links_retired: Type.Optional(Type.Integer()),
      captions_flagged: Type.Integer(),
      owners_notified: Type.Integer(),
    }),
    Type.Null(),
  ]),
});

const Count = (description: string) => Type.Union([Type.Integer(), Type.Null()], { description });

/** The last cut-over of a market, with the owners it notified. */
export const CutoverReportOut = Type.Object({
  market: Type.String(),
  mode: Mode,
  cutover_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Scheduled (mode still semi_closed) or done (mode closed)' }),
  report: Type.Union([
    Type.Object({
      market: Type.String(),
      at: Type.String({ format: 'date-time' }),
      anchors_deactivated: Type.Integer({ description: 'External anchors on videos and showcase links turned off' }),
      video_anchors_deactivated: Count('Of those, on videos (null in reports written before this was counted)'),
      store_links_retired: Count('Of those, showcase links: sellers\' store links'),
      captions_flagged: Type.Integer(),
      owners_notified: Type.Integer(),
    }),
    Type.Null(),
  ], { description: 'The last cut-over, null before any' }),
  owners: Type.Object({
    data: Type.Array(
      Type.Object({
        id: Type.String(),
        name: Type.String(),
        anchors: Type.Integer({ description: 'Video anchors turned off (-1: not recorded)' }),
        store_links: Type.Integer({ description: 'Showcase links turned off (-1: not recorded)' }),
        captions: Type.Integer({ description: 'Captions flagged (-1: not recorded)' }),
      }),
    ),
    next_cursor: Type.Union([Type.String(), Type.Null()]),
  }, { description: 'The owners notified, a page at a time (`limit`, `cursor`)' }),
});
