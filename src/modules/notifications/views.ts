import { Type } from '@sinclair/typebox';

export const Notification = Type.Object({
  id: Type.String(),
  type: Type.String({ description: 'e.g. `links.cutover`' }),
  title: Type.String(),
  body: Type.String(),
  data: Type.Unknown({ description: 'Per type; `links.cutover`: { market, anchors: [{ id, kind, video_id, url, title }], flagged_videos: [id] }' }),
  read_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});
