import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProductSummary } from '../../../lib/commerce';
import { externalAnchors, productAnchors, type Video } from '../../../lib/content';
import { VisitStoreLink } from '../../../components/VisitStoreLink';
import { useFormat } from '../../../lib/format';
import { useVideoEvents } from '../../../lib/trackers';
import { BagIcon, SoundOffIcon, SoundOnIcon } from '../../../components/Icons';

/** Share of a video that must be on screen for it to play. */
const VISIBLE_TO_PLAY = 0.6;

/**
 * One full-height video of the feed. Plays (muted until the viewer taps) while at least 60 % of it
 * is visible, pauses otherwise; caption, creator and product anchors are overlaid.
 */
export function FeedVideo({
  video,
  index,
  total,
  muted,
  near,
  onToggleSound,
  onVisible,
  onOpenProduct,
}: {
  video: Video;
  index: number;
  total: number;
  muted: boolean;
  /** On screen or next to it: worth buffering. Others load only their poster. */
  near: boolean;
  onToggleSound: () => void;
  onVisible: (index: number) => void;
  onOpenProduct: (product: ProductSummary) => void;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const ref = useRef<HTMLElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const [progress, setProgress] = useState(0);
  const [playing, setPlaying] = useState(false);
  const products = productAnchors(video);
  const stores = externalAnchors(video);
  useVideoEvents(ref, videoRef, video);

  useEffect(() => {
    const el = ref.current;
    const media = videoRef.current;
    if (!el || !media) return;
    const observer = new IntersectionObserver(
      ([entry]) => {
        if (!entry) return;
        if (entry.intersectionRatio >= VISIBLE_TO_PLAY) {
          onVisible(index);
          media.play().catch(() => {
            // Sound without a gesture is refused: fall back to muted autoplay.
            media.muted = true;
            void media.play().catch(() => {});
          });
        } else {
          media.pause();
        }
      },
      { threshold: [0, VISIBLE_TO_PLAY, 1] },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [index, onVisible]);

  useEffect(() => {
    if (videoRef.current) videoRef.current.muted = muted;
  }, [muted]);

  const landscape = (video.width ?? 9) > (video.height ?? 16);
  return (
    <article
      ref={ref}
      className="feed-item"
      aria-posinset={index + 1}
      aria-setsize={total}
      aria-label={t('feed.videoLabel', { creator: video.creator.name, caption: video.caption })}
      data-testid="feed-item"
      data-video-id={video.id}
      data-creator-id={video.creator.id}
      data-playing={playing}
    >
      <video
        ref={videoRef}
        className={`feed-item__video${landscape ? ' feed-item__video--contain' : ''}`}
        src={video.media_url ?? undefined}
        poster={video.poster_url ?? undefined}
        muted={muted}
        loop
        playsInline
        preload={near ? 'auto' : 'none'}
        onClick={onToggleSound}
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onTimeUpdate={(e) => {
          const m = e.currentTarget;
          if (m.duration > 0) setProgress(m.currentTime / m.duration);
        }}
      />
      {muted && (
        <button type="button" className="feed-item__hint" onClick={onToggleSound}>
          <SoundOffIcon />
          {t('feed.tapForSound')}
        </button>
      )}
      <div className="feed-item__side">
        <button
          type="button"
          className="round-button"
          aria-pressed={!muted}
          aria-label={muted ? t('feed.unmute') : t('feed.mute')}
          onClick={onToggleSound}
          data-testid="sound-toggle"
        >
          {muted ? <SoundOffIcon /> : <SoundOnIcon />}
        </button>
      </div>
      <div className="feed-item__overlay">
        <p className="feed-item__creator">{video.creator.name}</p>
        <p className="feed-item__caption">{video.caption}</p>
        {products.length > 0 && (
          <div className="feed-item__anchors">
            {products.map((p) => (
              <button
                key={p.id}
                type="button"
                className="anchor-button"
                data-testid="anchor-button"
                aria-label={t('feed.openProduct', { title: p.title, price: fmt.range(p.price_range) })}
                onClick={() => onOpenProduct(p)}
              >
                <span className="anchor-button__icon" aria-hidden="true">
                  {p.images[0] ? <img src={p.images[0]} alt="" /> : <BagIcon />}
                </span>
                <span className="anchor-button__text">
                  <span className="anchor-button__title">{p.title}</span>
                  <span className="anchor-button__price">{fmt.range(p.price_range)}</span>
                </span>
              </button>
            ))}
          </div>
        )}
        {stores.length > 0 && (
          <div className="feed-item__anchors feed-item__stores">
            {stores.map((a) => (
              <VisitStoreLink key={a.id} anchor={a} className="anchor-button" />
            ))}
          </div>
        )}
      </div>
      <div className="feed-item__progress" aria-hidden="true">
        <span style={{ transform: `scaleX(${progress})` }} />
      </div>
    </article>
  );
}
