import { Type } from '@sinclair/typebox';

export const Notification = Type.Object({
  id: Type.String(),
  type: Type.String({ description: 'e.g. `links.cutover`' }),
  title: Type.String({ description: 'In `locale`' }),
  body: Type.String({ description: 'In `locale`' }),
  locale: Type.Union([Type.Literal('en'), Type.Literal('zh-CN')], { description: 'The language of title and body: the one asked for, or `en` for a type with no translation' }),
  data: Type.Unknown({ description: 'Per type: the template parameters; `links.cutover`: { market, anchors: [{ id, kind, video_id, url, title }], flagged_videos: [id] }' }),
  link: Type.Union([Type.String(), Type.Null()], { description: 'The web app page where the user acts on it (a path), when there is one' }),
  read_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});
