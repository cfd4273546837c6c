import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError } from '../../api';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { StoreIcon } from '../../components/Icons';
import { Loading } from '../../components/Loading';
import { LoadMore } from '../../components/LoadMore';
import { ProductImage } from '../../components/ProductImage';
import { shopProducts } from '../../lib/catalog';
import { closing, type AnchorProposal, type ChoiceProblem, type ProductBrief } from '../../lib/closing';
import type { ProductSummary } from '../../lib/commerce';
import { useErrorMessage } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { usePaged } from '../../lib/paging';
import { useSellerShop } from '../../lib/shops';
import '../../closing.css';
import { keys } from '../../api/keys';

/** Products offered in each picker: the shop's first 100 (drafts included). */
const PICKER_LIMIT = 100;

/**
 * Replace external anchors: each external link on the shop's videos and showcases, with the
 * imported product its URL names proposed in a picker; apply swaps them in one go.
 */
export function SellerAnchors() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const shop = useSellerShop();
  const qc = useQueryClient();
  const errorMessage = useErrorMessage();
  const list = usePaged(keys.anchorReplacements(shop.id), (cursor) => closing.proposals(shop.id, { limit: 50, cursor }));
  const products = useQuery({ queryKey: keys.pickProducts(shop.id, 'all'), queryFn: () => shopProducts(shop.id, { limit: PICKER_LIMIT }) });
  /** The seller's picks by anchor id; '' keeps the link. Unset: the proposal. */
  const [picks, setPicks] = useState<Record<string, string>>({});
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [applied, setApplied] = useState<number | null>(null);

  const pending = list.rows.filter((p) => !p.replaced_by);
  const replaced = list.rows.filter((p) => p.replaced_by);
  const pickOf = (p: AnchorProposal) => picks[p.anchor.id] ?? p.product?.id ?? '';
  const choices = pending.map((p) => ({ anchor_id: p.anchor.id, product_id: pickOf(p) || null })).filter((c) => c.product_id !== null);

  const apply = useMutation({
    mutationFn: () => closing.applyReplacements(shop.id, choices),
    onSuccess: (res) => {
      const n = res.results.filter((r) => r.outcome === 'replaced').length;
      setProblems({});
      setPicks({});
      setApplied(n);
      void qc.invalidateQueries({ queryKey: keys.anchorReplacements(shop.id) });
      void qc.invalidateQueries({ queryKey: keys.creatorVideos() });
    },
    onError: (err) => {
      if (err instanceof ApiError && err.code === 'invalid_choices') {
        const bad = (err.details as { choices?: ChoiceProblem[] } | null)?.choices ?? [];
        setProblems(Object.fromEntries(bad.map((b) => [b.anchor_id, b.reason])));
      }
    },
  });

  const { query } = list;
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;

  const options: Array<ProductSummary | ProductBrief> = [...(products.data?.data ?? [])];
  for (const p of pending) if (p.product && !options.some((o) => o.id === p.product!.id)) options.push(p.product);

  return (
    <div className="stack">
      <section className="panel" aria-labelledby="anchors-title">
        <div className="panel__head">
          <h2 id="anchors-title">{t('anchorReplacement.title')}</h2>
          <Link to="/seller/imports" className="button button--small">
            {t('anchorReplacement.importLink')}
          </Link>
        </div>
        <p className="muted">{t('anchorReplacement.intro')}</p>
        {applied !== null && (
          <p className="alert alert--row" role="status" data-testid="anchors-applied">
            {t('anchorReplacement.applied', { count: applied, n: fmt.number(applied) })}
          </p>
        )}
        {products.isError && <ErrorAlert error={products.error} onRetry={() => void products.refetch()} />}
        {list.rows.length === 0 ? (
          <EmptyState title={t('anchorReplacement.emptyTitle')} icon={<StoreIcon />} testId="anchors-empty">
            {t('anchorReplacement.emptyText')}
          </EmptyState>
        ) : pending.length === 0 ? (
          <EmptyState title={t('anchorReplacement.allDoneTitle')} icon={<StoreIcon />} testId="anchors-all-done">
            {t('anchorReplacement.allDoneText')}
          </EmptyState>
        ) : (
          <>
            <ul className="case-list" data-testid="anchor-proposals">
              {pending.map((p) => (
                <ProposalCard
                  key={p.anchor.id}
                  proposal={p}
                  options={options}
                  value={pickOf(p)}
                  problem={problems[p.anchor.id]}
                  onChange={(v) => setPicks((old) => ({ ...old, [p.anchor.id]: v }))}
                />
              ))}
            </ul>
            {apply.error && !(apply.error instanceof ApiError && apply.error.code === 'invalid_choices') && (
              <p role="alert" className="error-text">
                {errorMessage(apply.error)}
              </p>
            )}
            {Object.keys(problems).length > 0 && (
              <p role="alert" className="error-text">
                {t('anchorReplacement.fixProblems')}
              </p>
            )}
            <div className="button-row section-gap">
              <button type="button" className="button button--primary" disabled={apply.isPending || choices.length === 0} onClick={() => apply.mutate()} data-testid="apply-replacements">
                {apply.isPending ? t('anchorReplacement.applying') : t('anchorReplacement.apply', { count: choices.length, n: fmt.number(choices.length) })}
              </button>
              <span className="muted">{t('anchorReplacement.applyNote')}</span>
            </div>
          </>
        )}
        <LoadMore query={query} />
      </section>
      {replaced.length > 0 && (
        <section className="panel" aria-labelledby="anchors-replaced-title">
          <h2 id="anchors-replaced-title">{t('anchorReplacement.replacedTitle')}</h2>
          <ul className="case-list" data-testid="anchors-replaced">
            {replaced.map((p) => (
              <li key={p.anchor.id} className="case-card" data-testid="replaced-anchor">
                <AnchorLine proposal={p} />
                <div className="product-cell">
                  <ProductImage src={p.replaced_by!.images[0]} alt={p.replaced_by!.title} className="product-cell__image" />
                  <span>{t('anchorReplacement.replacedBy', { title: p.replaced_by!.title })}</span>
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function AnchorLine({ proposal: p }: { proposal: AnchorProposal }) {
  const { t } = useTranslation();
  return (
    <div>
      <div className="shipment__head">
        <strong>{p.anchor.title || (p.anchor.kind === 'video' ? t('anchorReplacement.videoAnchor') : t('anchorReplacement.showcaseLink'))}</strong>
        <span className={`badge badge--${p.anchor.active ? 'ok' : 'neutral'}`}>{p.anchor.active ? t('anchorReplacement.active') : t('anchorReplacement.off')}</span>
      </div>
      <p className="muted url">{p.anchor.url}</p>
      <p className="muted">
        {p.anchor.kind === 'video' ? t('anchorReplacement.onVideo') : t('anchorReplacement.onShowcase')}
        {p.anchor.video_id && (
          <>
            {' · '}
            <Link to={`/videos/${p.anchor.video_id}/edit`} state={{ from: '/seller/anchors' }}>{t('anchorReplacement.openVideo')}</Link>
          </>
        )}
      </p>
    </div>
  );
}

function ProposalCard({
  proposal: p,
  options,
  value,
  problem,
  onChange,
}: {
  proposal: AnchorProposal;
  options: Array<ProductSummary | ProductBrief>;
  value: string;
  problem?: string;
  onChange: (productId: string) => void;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const id = `pick-${p.anchor.id}`;
  const chosen = options.find((o) => o.id === value);
  return (
    <li className={`case-card anchor-choice${problem ? ' field--invalid' : ''}`} data-testid="anchor-proposal" data-anchor={p.anchor.id}>
      <AnchorLine proposal={p} />
      <div className="field">
        <label htmlFor={id}>{t('anchorReplacement.pick')}</label>
        <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={!!problem} aria-describedby={`${id}-hint`} data-testid="anchor-pick">
          <option value="">{t('anchorReplacement.keep')}</option>
          {options.map((o) => (
            <option key={o.id} value={o.id}>
              {o.status === 'draft' ? t('anchorReplacement.draftOption', { title: o.title }) : o.title}
            </option>
          ))}
        </select>
        <p id={`${id}-hint`} className={problem ? 'field__error' : 'field__hint'}>
          {problem
            ? t(`anchorReplacement.reasons.${problem}`, { defaultValue: t('anchorReplacement.reasons.other') })
            : p.product
              ? t('anchorReplacement.proposed', { handle: p.handle ?? '', title: p.product.title })
              : p.handle
                ? t('anchorReplacement.noMatch', { handle: p.handle })
                : t('anchorReplacement.noHandle')}
        </p>
        {chosen && (
          <div className="product-cell">
            <ProductImage src={chosen.images[0]} alt={chosen.title} className="product-cell__image" />
            <span className="muted">{fmt.range(chosen.price_range)}</span>
          </div>
        )}
      </div>
    </li>
  );
}
