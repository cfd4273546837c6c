import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Field } from '../../components/Field';
import { FormError } from '../../components/FormError';
import { VideoIcon } from '../../components/Icons';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { ProductImage } from '../../components/ProductImage';
import { commerce } from '../../lib/commerce';
import { useFormat } from '../../lib/format';
import { HEARTBEAT_MS, live, useLiveRoom, type LiveSession } from '../../lib/live';
import { LiveBadge, RoomFigures } from '../buyer/LiveRoom';
import '../buyer/live.css';
import { keys } from '../../api/keys';

const MINE = keys.live('mine');

/** Creator live console: schedule, go live (attestation), pin, flash-sale allotments, live figures, end. */
export function CreatorLive() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const mine = useQuery({ queryKey: MINE, queryFn: () => live.mine({ limit: 50 }) });
  const sessions = mine.data?.data ?? [];
  const selectedId = params.get('id') ?? sessions.find((s) => s.status !== 'ended')?.id ?? null;
  const selected = sessions.find((s) => s.id === selectedId) ?? null;
  const select = (id: string) => setParams({ id }, { replace: true });

  return (
    <>
      <PageHeader
        title={t('live.console.title')}
        subtitle={t('live.console.subtitle')}
        actions={
          <Link to="/creator" className="button">
            {t('live.console.back')}
          </Link>
        }
      />
      <div className="grid grid--split">
        <div>
          <section className="panel" aria-labelledby="live-schedule">
            <h2 id="live-schedule">{t('live.console.schedule')}</h2>
            <ScheduleForm onCreated={select} />
          </section>
          <section className="panel section-gap" aria-labelledby="live-sessions">
            <h2 id="live-sessions">{t('live.console.sessions')}</h2>
            {mine.isPending ? (
              <Loading />
            ) : mine.isError ? (
              <ErrorAlert error={mine.error} onRetry={() => void mine.refetch()} />
            ) : sessions.length === 0 ? (
              <EmptyState title={t('live.console.emptyTitle')} icon={<VideoIcon />} testId="console-empty">
                {t('live.console.emptyText')}
              </EmptyState>
            ) : (
              <ul className="live-sessions" data-testid="console-sessions">
                {sessions.map((s) => (
                  <li key={s.id}>
                    <button type="button" className={`live-sessions__item${s.id === selectedId ? ' live-sessions__item--on' : ''}`} aria-pressed={s.id === selectedId} onClick={() => select(s.id)}>
                      <span>{s.title}</span>
                      <LiveBadge status={s.status} />
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
        {selected ? (
          <SessionPanel key={selected.id} session={selected} />
        ) : (
          <section className="panel">
            <p className="muted">{t('live.console.pickOne')}</p>
          </section>
        )}
      </div>
    </>
  );
}

function ScheduleForm({ onCreated }: { onCreated: (id: string) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [title, setTitle] = useState('');
  const [streamUrl, setStreamUrl] = useState('');
  const [at, setAt] = useState('');
  const create = useMutation({
    mutationFn: () => live.create({ title: title.trim(), stream_url: streamUrl.trim(), ...(at ? { scheduled_at: new Date(at).toISOString() } : {}) }),
    onSuccess: (s) => {
      setTitle('');
      setStreamUrl('');
      setAt('');
      void qc.invalidateQueries({ queryKey: keys.live() });
      onCreated(s.id);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form className="form" onSubmit={submit} data-testid="live-schedule-form">
      <Field label={t('live.console.titleLabel')} name="live-title" value={title} required maxLength={100} onChange={(e) => setTitle(e.target.value)} />
      <Field
        label={t('live.console.streamLabel')}
        name="live-stream"
        value={streamUrl}
        required
        hint={t('live.console.streamHint')}
        onChange={(e) => setStreamUrl(e.target.value)}
      />
      <Field label={t('live.console.whenLabel')} name="live-when" type="datetime-local" value={at} hint={t('live.console.whenHint')} onChange={(e) => setAt(e.target.value)} />
      <FormError error={create.error} />
      <div className="form-actions">
        <button type="submit" className="button button--primary" disabled={create.isPending || !title.trim() || !streamUrl.trim()}>
          {create.isPending ? t('live.console.scheduling') : t('live.console.scheduleButton')}
        </button>
      </div>
    </form>
  );
}

/** One session: start (attestation), pin, allotments, the room's figures, end. */
function SessionPanel({ session }: { session: LiveSession }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const fmt = useFormat();
  const { room } = useLiveRoom(session.status === 'ended' ? undefined : session.id);
  const refresh = () => qc.invalidateQueries({ queryKey: keys.live() });
  const end = useMutation({ mutationFn: () => live.end(session.id), onSuccess: refresh });
  const [confirming, setConfirming] = useState(false);
  // The stream's state is the freshest (pins and allotments change it); the list is the fallback.
  const current = room?.live ?? session;
  const isLive = current.status === 'live';
  // While the console is open the live is attended: without heartbeats the server ends it.
  useEffect(() => {
    if (!isLive) return undefined;
    const beat = () => void live.heartbeat(session.id).catch(() => undefined);
    beat();
    const timer = setInterval(beat, HEARTBEAT_MS);
    return () => clearInterval(timer);
  }, [isLive, session.id]);

  return (
    <section className="panel" aria-labelledby="live-session-title" data-testid="console-session" data-status={current.status}>
      <div className="panel__head">
        <h2 id="live-session-title">{current.title}</h2>
        <LiveBadge status={current.status} />
      </div>
      <p className="muted">
        {current.status === 'scheduled'
          ? t('live.room.startsAt', { at: fmt.dateTime(current.scheduled_at) })
          : current.status === 'live' && current.started_at
            ? t('live.console.liveSince', { at: fmt.dateTime(current.started_at) })
            : current.ended_at
              ? current.end_reason === 'idle'
                ? t('live.console.endedIdle', { at: fmt.dateTime(current.ended_at) })
                : current.end_reason === 'max_duration'
                  ? t('live.console.endedMaxDuration', { at: fmt.dateTime(current.ended_at) })
                  : t('live.console.endedAt', { at: fmt.dateTime(current.ended_at) })
              : null}
      </p>
      <p>
        <Link to={`/live/${session.id}`} data-testid="console-room-link">
          {t('live.console.openRoom')}
        </Link>
      </p>
      {current.status === 'scheduled' && <StartBox id={session.id} onStarted={refresh} />}
      {current.status === 'live' && room && (
        <div className="form-section">
          <h3>{t('live.console.figures')}</h3>
          <RoomFigures room={room} />
        </div>
      )}
      {current.status !== 'ended' && <PinBox session={current} onPinned={refresh} />}
      {current.status === 'live' && <Allotments session={current} onSaved={refresh} />}
      {current.status === 'ended' && current.allotments.length > 0 && (
        <div className="form-section">
          <h3>{t('live.console.allotments')}</h3>
          <ul>
            {current.allotments.map((a) => (
              <li key={a.sku_id}>
                {a.title}
                {a.option_values.length > 0 && <span className="muted">{t('live.console.variantSuffix', { options: fmt.options(a.option_values) })}</span>}
                {': '}
                {t('live.console.allotmentResult', { sold: fmt.number(a.sold), total: fmt.number(a.quantity) })}
              </li>
            ))}
          </ul>
        </div>
      )}
      {current.status !== 'ended' &&
        (confirming ? (
          <div className="alert alert--warn" role="alertdialog" aria-labelledby={`end-${session.id}`} data-testid="live-end-confirm">
            <p id={`end-${session.id}`}>{current.status === 'live' ? t('live.console.endConfirm') : t('live.console.cancelConfirm')}</p>
            <div className="button-row">
              <button type="button" className="button button--danger" data-testid="live-end-yes" disabled={end.isPending} onClick={() => end.mutate(undefined, { onSettled: () => setConfirming(false) })}>
                {current.status === 'live' ? t('live.console.end') : t('live.console.cancel')}
              </button>
              <button type="button" className="button" onClick={() => setConfirming(false)}>
                {t('live.console.keepGoing')}
              </button>
            </div>
          </div>
        ) : (
          <div className="form-actions">
            <button type="button" className="button button--danger" data-testid="live-end" onClick={() => setConfirming(true)}>
              {current.status === 'live' ? t('live.console.end') : t('live.console.cancel')}
            </button>
          </div>
        ))}
      <FormError error={end.error} />
    </section>
  );
}

function StartBox({ id, onStarted }: { id: string; onStarted: () => void }) {
  const { t } = useTranslation();
  const [agreed, setAgreed] = useState(false);
  const start = useMutation({ mutationFn: () => live.start(id), onSuccess: onStarted });
  return (
    <div className="form-section" data-testid="live-start">
      <h3>{t('live.console.goLive')}</h3>
      <label className="choice">
        <input type="checkbox" checked={agreed} onChange={(e) => setAgreed(e.target.checked)} data-testid="live-attestation" />
        <span>{t('live.console.attestation')}</span>
      </label>
      <FormError error={start.error} />
      <button type="button" className="button button--primary" data-testid="live-start-button" disabled={!agreed || start.isPending} onClick={() => start.mutate()}>
        {start.isPending ? t('live.console.starting') : t('live.console.start')}
      </button>
    </div>
  );
}

function PinBox({ session, onPinned }: { session: LiveSession; onPinned: () => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const products = useQuery({ queryKey: keys.livePickProducts(search), queryFn: () => commerce.products({ q: search || undefined, limit: 20 }) });
  const pin = useMutation({ mutationFn: (productId: string) => live.pin(session.id, productId), onSuccess: onPinned });
  return (
    <div className="form-section" data-testid="live-pin">
      <h3>{t('live.console.pin')}</h3>
      <div className="product-picker__search">
        <input
          type="search"
          value={q}
          aria-label={t('live.console.searchProducts')}
          placeholder={t('live.console.searchProducts')}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') setSearch(q.trim());
          }}
        />
        <button type="button" className="button button--small" onClick={() => setSearch(q.trim())}>
          {t('live.console.search')}
        </button>
      </div>
      <FormError error={pin.error} />
      {products.isPending ? (
        <Loading />
      ) : products.isError ? (
        <ErrorAlert error={products.error} onRetry={() => void products.refetch()} />
      ) : products.data.data.length === 0 ? (
        <p className="muted">{t('live.console.noProducts')}</p>
      ) : (
        <ul className="live-pick">
          {products.data.data.map((p) => {
            const pinned = session.pinned_product_id === p.id;
            return (
              <li key={p.id} className="live-pick__row" data-testid="pick-product">
                <ProductImage src={p.images[0]} alt={p.title} className="pick__image" />
                <span className="pick__text">
                  <span className="pick__title">{p.title}</span>
                  <span className="muted">{fmt.range(p.price_range)}</span>
                </span>
                <button type="button" className="button button--small" disabled={pinned || pin.isPending} onClick={() => pin.mutate(p.id)}>
                  {pinned ? t('live.console.pinnedNow') : t('live.console.pinButton')}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

/** Flash-sale allotments for the SKUs of the pinned products (shop members only: the server decides). */
function Allotments({ session, onSaved }: { session: LiveSession; onSaved: () => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const details = useQueries({ queries: session.products.map((p) => ({ queryKey: keys.product(p.id), queryFn: () => commerce.product(p.id) })) });
  const [draft, setDraft] = useState<Record<string, string>>({});
  const save = useMutation({
    mutationFn: () =>
      live.allot(
        session.id,
        Object.entries(draft)
          .filter(([, v]) => v.trim() !== '')
          .map(([sku_id, v]) => ({ sku_id, quantity: Number(v) })),
      ),
    onSuccess: () => {
      setDraft({});
      onSaved();
    },
  });
  const byId = new Map(session.allotments.map((a) => [a.sku_id, a]));
  const invalid = Object.values(draft).some((v) => v.trim() !== '' && !/^\d{1,5}$/.test(v.trim()));
  const changed = Object.values(draft).some((v) => v.trim() !== '');
  if (session.products.length === 0) return null;
  return (
    <div className="form-section" data-testid="live-allotments">
      <h3>{t('live.console.allotments')}</h3>
      <p className="field__hint">{t('live.console.allotmentsHint')}</p>
      {details.some((d) => d.isPending) ? (
        <Loading />
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('live.console.sku')}</th>
                <th scope="col">{t('live.console.available')}</th>
                <th scope="col">{t('live.console.allotment')}</th>
                <th scope="col">{t('live.console.left')}</th>
              </tr>
            </thead>
            <tbody>
              {details.flatMap((d) =>
                (d.data?.variants ?? [])
                  .filter((v) => v.status !== 'archived')
                  .map((v) => {
                    const a = byId.get(v.sku_id);
                    return (
                      <tr key={v.sku_id}>
                        <td>
                          {d.data!.title}
                          {v.option_values.length > 0 && <span className="muted">{t('live.console.variantSuffix', { options: fmt.options(v.option_values) })}</span>}
                        </td>
                        <td>{fmt.number(v.available)}</td>
                        <td>
                          <input
                            className="qty-input"
                            inputMode="numeric"
                            aria-label={t('live.console.allotmentFor', { title: d.data!.title, options: fmt.options(v.option_values) })}
                            data-testid="allotment-input"
                            value={draft[v.sku_id] ?? String(a?.quantity ?? '')}
                            placeholder="0"
                            onChange={(e) => setDraft((cur) => ({ ...cur, [v.sku_id]: e.target.value }))}
                          />
                        </td>
                        <td>{a ? fmt.number(a.remaining) : t('live.console.none')}</td>
                      </tr>
                    );
                  }),
              )}
            </tbody>
          </table>
        </div>
      )}
      {invalid && <p className="field__error">{t('live.console.allotmentInvalid')}</p>}
      <FormError error={save.error} />
      <button type="button" className="button" disabled={!changed || invalid || save.isPending} onClick={() => save.mutate()}>
        {save.isPending ? t('live.console.saving') : t('live.console.saveAllotments')}
      </button>
    </div>
  );
}
