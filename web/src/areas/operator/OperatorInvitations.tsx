import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable } from '../../components/DataTable';
import { Field } from '../../components/Field';
import { FormError } from '../../components/FormError';
import { PagedList } from '../../components/PagedList';
import { SelectField } from '../../components/SelectField';
import { StatusBadge } from '../../components/StatusBadge';
import { formatRegion } from '../../i18n/format';
import { useErrorMessage } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { usePaged } from '../../lib/paging';
import { sellers, type Invitation } from '../../lib/sellers';
import { keys } from '../../api/keys';

const CATEGORY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,49}$/;
/** The default expiry: 30 days from today, as a date input's value. */
const inThirtyDays = () => new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

/** Invitation codes: issue one (shown once, with a copy button) and the list with uses and revoke. */
export function OperatorInvitations() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const list = usePaged(keys.invitations(), (cursor) => sellers.invitations({ limit: 20, cursor }));
  return (
    <>
      <CreateInvitation />
      <section className="panel" aria-labelledby="invitations-title">
        <h2 id="invitations-title">{t('operator.invitations.title')}</h2>
        <PagedList list={list} emptyTitle={t('operator.invitations.emptyTitle')} emptyText={t('operator.invitations.emptyText')} testId="invitations">
          {(rows) => (
            <DataTable
              columns={[
                { header: t('operator.invitations.code'), className: 'mono', cell: (inv) => t('operator.invitations.hint', { hint: inv.code_hint }) },
                { header: t('application.market'), cell: (inv) => formatRegion(inv.market, fmt.locale) },
                { header: t('application.category'), cell: (inv) => inv.category },
                { header: t('operator.invitations.uses'), num: true, cell: (inv) => t('operator.invitations.usesOf', { uses: fmt.number(inv.uses), max: fmt.number(inv.max_uses) }) },
                { header: t('operator.invitations.expires'), cell: (inv) => fmt.dateTime(inv.expires_at) },
                { header: t('operator.applications.status'), cell: (inv) => <StatusBadge kind="invitationStatus" status={inv.status} /> },
                { header: t('operator.actions'), hideHeader: true, className: 'num', cell: (inv) => inv.status === 'active' && <RevokeButton invitation={inv} /> },
              ]}
              rows={rows}
              rowKey={(inv) => inv.id}
              rowProps={() => ({ 'data-testid': 'invitation-row' })}
            />
          )}
        </PagedList>
      </section>
    </>
  );
}

function RevokeButton({ invitation }: { invitation: Invitation }) {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const qc = useQueryClient();
  const revoke = useMutation({ mutationFn: () => sellers.revokeInvitation(invitation.id), onSuccess: () => void qc.invalidateQueries({ queryKey: keys.invitations() }) });
  return (
    <>
      <button type="button" className="button button--small button--danger" disabled={revoke.isPending} onClick={() => revoke.mutate()}>
        {t('operator.invitations.revoke')}
      </button>
      {revoke.error && <span className="error-text">{errorMessage(revoke.error)}</span>}
    </>
  );
}

function CreateInvitation() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const qc = useQueryClient();
  const markets = useQuery({ queryKey: keys.adminMarkets(), queryFn: sellers.adminMarkets });
  const [form, setForm] = useState({ market: 'US', category: '', maxUses: '1', expires: inThirtyDays() });
  const [invalid, setInvalid] = useState<Record<string, boolean>>({});
  const [copied, setCopied] = useState(false);
  const create = useMutation({
    mutationFn: () =>
      sellers.createInvitation({
        market: form.market,
        category: form.category.trim(),
        max_uses: Number(form.maxUses),
        // The code stays valid through the chosen day.
        expires_at: new Date(`${form.expires}T23:59:59`).toISOString(),
      }),
    onSuccess: () => {
      setCopied(false);
      void qc.invalidateQueries({ queryKey: keys.invitations() });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const uses = Number(form.maxUses);
    const bad = {
      category: !CATEGORY.test(form.category.trim()),
      maxUses: !Number.isInteger(uses) || uses < 1 || uses > 1000,
      expires: !form.expires || new Date(`${form.expires}T23:59:59`).getTime() <= Date.now(),
    };
    setInvalid(bad);
    if (!Object.values(bad).some(Boolean)) create.mutate();
  };
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const code = create.data?.code;
  return (
    <section className="panel" aria-labelledby="new-invitation-title">
      <h2 id="new-invitation-title">{t('operator.invitations.new')}</h2>
      <form className="form" onSubmit={submit} noValidate data-testid="invitation-form">
        <div className="form-row">
          <SelectField label={t('application.market')} name="inv-market" value={form.market} onChange={set('market')}>
            {(markets.data ?? []).map((m) => (
              <option key={m.code} value={m.code}>
                {formatRegion(m.code, fmt.locale)}
              </option>
            ))}
          </SelectField>
          <Field
            label={t('application.category')}
            name="inv-category"
            value={form.category}
            onChange={set('category')}
            hint={t('operator.invitations.categoryHint')}
            error={invalid.category ? t('operator.invitations.categoryInvalid') : null}
          />
          <Field
            label={t('operator.invitations.maxUses')}
            name="inv-max-uses"
            type="number"
            min={1}
            max={1000}
            value={form.maxUses}
            onChange={set('maxUses')}
            error={invalid.maxUses ? t('operator.invitations.maxUsesInvalid') : null}
          />
          <Field
            label={t('operator.invitations.expiresOn')}
            name="inv-expires"
            type="date"
            value={form.expires}
            onChange={set('expires')}
            error={invalid.expires ? t('operator.invitations.expiresInvalid') : null}
          />
        </div>
        <FormError error={create.error} />
        <button type="submit" className="button button--primary" disabled={create.isPending}>
          {t('operator.invitations.create')}
        </button>
      </form>
      {code && (
        <div className="alert alert--warn new-code" data-testid="new-invitation">
          <p>{t('operator.invitations.shownOnce')}</p>
          <code className="new-code__value" data-testid="new-invitation-code">
            {code}
          </code>
          <button
            type="button"
            className="button button--small"
            onClick={() =>
              void navigator.clipboard.writeText(code).then(
                () => setCopied(true),
                () => setCopied(false),
              )
            }
          >
            {copied ? t('operator.invitations.copied') : t('operator.invitations.copy')}
          </button>
        </div>
      )}
    </section>
  );
}
