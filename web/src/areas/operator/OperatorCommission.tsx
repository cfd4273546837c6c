import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable } from '../../components/DataTable';
import { Field } from '../../components/Field';
import { FormError } from '../../components/FormError';
import { PagedList } from '../../components/PagedList';
import { useToast } from '../../components/Toast';
import { useErrorMessage } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { operator, type CommissionRule, type CommissionRuleInput } from '../../lib/operator';
import { usePaged } from '../../lib/paging';
import { keys } from '../../api/keys';

const CATEGORY = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Whether a rule applies now, starts later, or has ended. */
function ruleState(r: CommissionRule, now = Date.now()): 'scheduled' | 'in_force' | 'ended' {
  if (new Date(r.effective_from).getTime() > now) return 'scheduled';
  if (r.effective_to && new Date(r.effective_to).getTime() <= now) return 'ended';
  return 'in_force';
}

/** A percentage typed by a person ("8", "2.5") → basis points, or null. */
function bpsOf(s: string): number | null {
  const n = Number(s.trim().replace(',', '.'));
  if (s.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) return null;
  return Math.round(n * 100);
}

/** A datetime-local input's value → ISO, or null when empty/invalid. */
function isoOf(local: string): string | null {
  if (!local) return null;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Commission rules as data: the rule in force at payment applies (category + new shop > category > new shop > default). */
export function OperatorCommission() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const list = usePaged(keys.commissionRules(), (cursor) => operator.commissionRules({ limit: 20, cursor }));
  const pct = (bps: number) => fmt.percent(bps / 10_000);
  return (
    <>
      <CreateRule />
      <section className="panel" aria-labelledby="rules-title">
        <h2 id="rules-title">{t('commission.title')}</h2>
        <p className="muted">{t('commission.intro')}</p>
        <PagedList list={list} emptyTitle={t('commission.emptyTitle')} emptyText={t('commission.emptyText')} testId="commission-rules">
          {(rows) => (
            <DataTable
              columns={[
                { header: t('commission.category'), cell: (r) => r.category ?? <span className="muted">{t('commission.everyCategory')}</span> },
                { header: t('commission.rate'), num: true, cell: (r) => pct(r.rate_bps) },
                { header: t('commission.newShops'), cell: (r) => (r.new_shop_days === null ? <span className="muted">{t('commission.anyShop')}</span> : t('commission.firstDays', { days: fmt.number(r.new_shop_days) })) },
                { header: t('commission.subsidy'), num: true, cell: (r) => (r.subsidy_bps === 0 ? <span className="muted">{t('commission.none')}</span> : pct(r.subsidy_bps)) },
                // The platform's default rule is in force from the beginning of time (stored as the epoch): no date to show.
                { header: t('commission.from'), cell: (r) => (new Date(r.effective_from).getTime() <= 0 ? <span className="muted">{t('commission.fromStart')}</span> : fmt.dateTime(r.effective_from)) },
                { header: t('commission.to'), cell: (r) => (r.effective_to ? fmt.dateTime(r.effective_to) : <span className="muted">{t('commission.openEnded')}</span>) },
                { header: t('operator.applications.status'), cell: (r) => <RuleStateBadge state={ruleState(r)} /> },
                { header: t('operator.actions'), hideHeader: true, className: 'num', cell: (r) => ruleState(r) !== 'ended' && <EndRule rule={r} /> },
              ]}
              rows={rows}
              rowKey={(r) => r.id}
              rowProps={(r) => ({ 'data-testid': 'commission-rule', 'data-rule-id': r.id })}
            />
          )}
        </PagedList>
      </section>
    </>
  );
}

function RuleStateBadge({ state }: { state: ReturnType<typeof ruleState> }) {
  const { t } = useTranslation();
  return <span className={`badge badge--${state === 'in_force' ? 'ok' : state === 'scheduled' ? 'info' : 'neutral'}`}>{t(`commission.state.${state}`)}</span>;
}

function EndRule({ rule }: { rule: CommissionRule }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const errorMessage = useErrorMessage();
  const [open, setOpen] = useState(false);
  const [at, setAt] = useState('');
  const end = useMutation({
    mutationFn: (iso: string) => operator.endCommissionRule(rule.id, iso),
    onSuccess: () => {
      setOpen(false);
      void qc.invalidateQueries({ queryKey: keys.commissionRules() });
    },
  });
  if (!open) {
    return (
      <button type="button" className="button button--small" onClick={() => setOpen(true)}>
        {t('commission.end')}
      </button>
    );
  }
  return (
    <form
      className="action-row"
      onSubmit={(e) => {
        e.preventDefault();
        // Empty: end now (a moment ahead, so it is not in the past when the server sees it).
        end.mutate(isoOf(at) ?? new Date(Date.now() + 5_000).toISOString());
      }}
    >
      <label className="visually-hidden" htmlFor={`end-${rule.id}`}>
        {t('commission.endAt')}
      </label>
      <input id={`end-${rule.id}`} type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
      <button type="submit" className="button button--small button--danger" disabled={end.isPending}>
        {at ? t('commission.endAtConfirm') : t('commission.endNow')}
      </button>
      <button type="button" className="button button--small button--ghost" onClick={() => setOpen(false)}>
        {t('common.cancel')}
      </button>
      {end.error && <span className="error-text">{errorMessage(end.error)}</span>}
    </form>
  );
}

function CreateRule() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const toast = useToast();
  const [form, setForm] = useState({ category: '', rate: '', newShopDays: '', subsidy: '', from: '', to: '' });
  const [invalid, setInvalid] = useState<Record<string, boolean>>({});
  const create = useMutation({
    mutationFn: (body: CommissionRuleInput) => operator.createCommissionRule(body),
    onSuccess: () => {
      toast({ text: t('commission.created') });
      setForm({ category: '', rate: '', newShopDays: '', subsidy: '', from: '', to: '' });
      void qc.invalidateQueries({ queryKey: keys.commissionRules() });
    },
  });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const category = form.category.trim().toLowerCase();
    const rate = bpsOf(form.rate);
    const subsidy = form.subsidy.trim() === '' ? 0 : bpsOf(form.subsidy);
    const days = form.newShopDays.trim() === '' ? null : Number(form.newShopDays);
    const from = isoOf(form.from);
    const to = isoOf(form.to);
    const bad = {
      category: category !== '' && (category.length > 64 || !CATEGORY.test(category)),
      rate: rate === null,
      subsidy: subsidy === null,
      newShopDays: days !== null && (!Number.isInteger(days) || days < 1 || days > 3650),
      from: form.from !== '' && (from === null || new Date(from).getTime() < Date.now()),
      to: form.to !== '' && (to === null || new Date(to).getTime() <= new Date(from ?? Date.now()).getTime()),
    };
    setInvalid(bad);
    if (Object.values(bad).some(Boolean)) return;
    create.mutate({
      category: category || null,
      rate_bps: rate!,
      new_shop_days: days,
      subsidy_bps: subsidy!,
      ...(from ? { effective_from: from } : {}),
      effective_to: to,
    });
  };
  return (
    <section className="panel" aria-labelledby="new-rule-title">
      <h2 id="new-rule-title">{t('commission.new')}</h2>
      <form className="form" onSubmit={submit} noValidate data-testid="commission-form">
        <div className="form-row">
          <Field label={t('commission.category')} name="rule-category" value={form.category} onChange={set('category')} hint={t('commission.categoryHint')} error={invalid.category ? t('commission.categoryInvalid') : null} />
          <Field label={t('commission.ratePercent')} name="rule-rate" inputMode="decimal" value={form.rate} onChange={set('rate')} error={invalid.rate ? t('commission.percentInvalid') : null} />
          <Field
            label={t('commission.newShopDays')}
            name="rule-new-shop-days"
            inputMode="numeric"
            value={form.newShopDays}
            onChange={set('newShopDays')}
            hint={t('commission.newShopDaysHint')}
            error={invalid.newShopDays ? t('commission.daysInvalid') : null}
          />
          <Field label={t('commission.subsidyPercent')} name="rule-subsidy" inputMode="decimal" value={form.subsidy} onChange={set('subsidy')} hint={t('commission.subsidyHint')} error={invalid.subsidy ? t('commission.percentInvalid') : null} />
        </div>
        <div className="form-row">
          <Field label={t('commission.from')} name="rule-from" type="datetime-local" value={form.from} onChange={set('from')} hint={t('commission.fromHint')} error={invalid.from ? t('commission.fromInvalid') : null} />
          <Field label={t('commission.to')} name="rule-to" type="datetime-local" value={form.to} onChange={set('to')} hint={t('commission.toHint')} error={invalid.to ? t('commission.toInvalid') : null} />
        </div>
        <FormError error={create.error} />
        <button type="submit" className="button button--primary" disabled={create.isPending}>
          {t('commission.create')}
        </button>
      </form>
    </section>
  );
}
