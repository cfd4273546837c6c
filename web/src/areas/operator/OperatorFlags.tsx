import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FilterSelect } from '../../components/FilterSelect';
import { BoxIcon } from '../../components/Icons';
import { Loading } from '../../components/Loading';
import { LoadMore } from '../../components/LoadMore';
import { NoteForm } from '../../components/NoteForm';
import { StatusBadge } from '../../components/StatusBadge';
import { fulfillment, type FulfillmentFlag } from '../../lib/fulfillment';
import { useFormat } from '../../lib/format';
import { keys } from '../../api/keys';

/** Fake-tracking flags waiting for review; clearing one (with a note) lifts its escrow hold. */
export function OperatorFlags() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<'open' | 'cleared'>('open');
  const flags = useInfiniteQuery({
    queryKey: keys.flags(status),
    queryFn: ({ pageParam }) => fulfillment.flags({ status, limit: 20, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = flags.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section className="panel" aria-labelledby="flags-title">
      <div className="panel__head">
        <h2 id="flags-title">{t('operator.flags.title')}</h2>
        <FilterSelect label={t('operator.flags.show')} value={status} onChange={(e) => setStatus(e.target.value as 'open' | 'cleared')}>
          <option value="open">{t('operator.flags.open')}</option>
          <option value="cleared">{t('operator.flags.cleared')}</option>
        </FilterSelect>
      </div>
      {flags.isPending ? (
        <Loading />
      ) : flags.isError ? (
        <ErrorAlert error={flags.error} onRetry={() => void flags.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title={t('operator.flags.emptyTitle')} icon={<BoxIcon />} testId="flags-empty">
          {t('operator.flags.emptyText')}
        </EmptyState>
      ) : (
        <ul className="case-list" data-testid="flags">
          {rows.map((f) => (
            <FlagRow key={f.id} flag={f} />
          ))}
        </ul>
      )}
      <LoadMore query={flags} />
    </section>
  );
}

function FlagRow({ flag }: { flag: FulfillmentFlag }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const qc = useQueryClient();
  const clear = useMutation({
    mutationFn: (note: string) => fulfillment.clearFlag(flag.id, note),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.flags() }),
  });
  return (
    <li className="case-card" data-testid="flag" data-flag-id={flag.id}>
      <div className="shipment__head">
        <strong>{t(`flagRule.${flag.rule}`, { defaultValue: flag.rule })}</strong>
        <StatusBadge kind="caseStatus" status={flag.status} />
      </div>
      <dl className="facts">
        <div>
          <dt>{t('operator.flags.order')}</dt>
          <dd className="mono">{flag.order_id}</dd>
        </div>
        <div>
          <dt>{t('operator.flags.shop')}</dt>
          <dd className="mono">{flag.shop_id}</dd>
        </div>
        <div>
          <dt>{t('operator.flags.raised')}</dt>
          <dd>{fmt.dateTime(flag.created_at)}</dd>
        </div>
        <div>
          <dt>{t('operator.flags.details')}</dt>
          {/* The detector's evidence, as recorded (field names are technical). */}
          <dd className="mono" lang="en">
            {Object.entries(flag.details)
              .map(([k, v]) => `${k}: ${String(v)}`)
              .join(' · ') || '—'}
          </dd>
        </div>
        {flag.note && (
          <div className="facts__wide">
            <dt>{t('operator.flags.note')}</dt>
            <dd>{flag.note}</dd>
          </div>
        )}
      </dl>
      {flag.status === 'open' && (
        <NoteForm name={`clear-${flag.id}`} label={t('operator.flags.clearNote')} submitLabel={t('operator.flags.clear')} pending={clear.isPending} error={clear.error} onSubmit={(note) => clear.mutate(note)} />
      )}
    </li>
  );
}
