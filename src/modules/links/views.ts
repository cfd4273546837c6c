import { Type } from '@sinclair/typebox';
import { Money } from '../../platform/http-schemas.js';
import { LINK_POLICY_MODES } from './service.js';

/** Schemas of the link policy, shared by the links routes and the cut-over flow's. */
export const Mode = Type.Union(LINK_POLICY_MODES.map((m) => Type.Literal(m)));
export const MarketParam = Type.Object({ market: Type.String({ pattern: '^[A-Z]{2}$' }) });

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
