import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DECISION_OUTCOMES, isOpen, useCaseAction, type AfterSalesCase, type CaseAction, type DecisionOutcome } from '../../../lib/aftersales';
import { CARRIERS } from '../../../lib/fulfillment';
import { parseMoneyInput } from '../../../lib/money';
import { CarrierField } from '../../../components/CarrierField';
import { Field } from '../../../components/Field';
import { FormError } from '../../../components/FormError';
import { NoteForm } from '../../../components/NoteForm';

type Role = 'buyer' | 'seller' | 'operator';

/** What the viewer's side may do with the case now; actions that need words open a note form. */
export function CaseActions({ c, role }: { c: AfterSalesCase; role: Role }) {
  const { t } = useTranslation();
  const act = useCaseAction(c);
  const [form, setForm] = useState<CaseAction | null>(null);
  const run = (action: CaseAction, body?: Record<string, unknown>) => act.mutate({ action, body }, { onSuccess: () => setForm(null) });
  const noted = (note: string) => (note ? { note } : {});
  if (!isOpen(c)) return null;

  const direct: CaseAction[] = [];
  const withNote: CaseAction[] = [];
  if (role === 'seller' && c.status === 'requested') {
    direct.push('accept');
    withNote.push('reject');
  }
  if (role === 'seller' && c.status === 'return_shipped') direct.push('confirm-receipt');
  if (role === 'buyer' && c.status === 'seller_accepted' && c.type !== 'refund_only' && !c.return) withNote.push('return');
  // The seller answers first: the buyer escalates a requested case only after the answer window (the server says 409 before).
  const answerPending = c.status === 'requested' && c.seller_due_at !== null && new Date(c.seller_due_at).getTime() > Date.now();
  if (role !== 'operator' && c.status !== 'escalated' && !(role === 'buyer' && answerPending)) withNote.push('escalate');
  if (role === 'buyer') withNote.push('withdraw');
  if (role === 'operator' && c.status === 'escalated') return <DecisionForm c={c} />;
  if (direct.length + withNote.length === 0) return null;

  return (
    <div className="case-actions" data-testid="case-actions">
      <div className="action-row">
        {direct.map((a) => (
          <button key={a} type="button" className="button button--primary" disabled={act.isPending} onClick={() => run(a)} data-testid={`case-${a}`}>
            {t(`caseAction.${a}`)}
          </button>
        ))}
        {withNote.map((a) => (
          <button key={a} type="button" className={`button${form === a ? ' button--ghost' : ''}`} aria-expanded={form === a} onClick={() => setForm(form === a ? null : a)} data-testid={`case-${a}`}>
            {t(`caseAction.${a}`)}
          </button>
        ))}
      </div>
      {!form && <FormError error={act.error} />}
      {form === 'return' && <ReturnForm pending={act.isPending} error={act.error} onSubmit={(body) => run('return', body)} />}
      {(form === 'reject' || form === 'escalate' || form === 'withdraw') && (
        <NoteForm
          key={form}
          name={`case-${form}`}
          label={t(`caseAction.${form}Note`)}
          submitLabel={t(`caseAction.${form}Submit`)}
          optional={form !== 'reject'}
          danger={form === 'reject' || form === 'withdraw'}
          pending={act.isPending}
          error={act.error}
          onSubmit={(note) => run(form, form === 'reject' ? { note } : noted(note))}
        />
      )}
    </div>
  );
}

/** The buyer's return parcel: carrier and tracking number. */
function ReturnForm({ pending, error, onSubmit }: { pending: boolean; error: unknown; onSubmit: (body: { carrier: string; tracking_number: string }) => void }) {
  const { t } = useTranslation();
  const [carrier, setCarrier] = useState<string>(CARRIERS[0]);
  const [tracking, setTracking] = useState('');
  const [invalid, setInvalid] = useState(false);
  return (
    <form
      className="form"
      noValidate
      data-testid="return-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!/^[A-Za-z0-9-]{1,100}$/.test(tracking.trim())) setInvalid(true);
        else onSubmit({ carrier, tracking_number: tracking.trim() });
      }}
    >
      <div className="form-row">
        <CarrierField name="return-carrier" value={carrier} onChange={setCarrier} />
        <Field
          label={t('ship.tracking')}
          name="return-tracking"
          value={tracking}
          maxLength={100}
          error={invalid ? t('validation.trackingInvalid') : null}
          onChange={(e) => {
            setTracking(e.target.value);
            setInvalid(false);
          }}
        />
      </div>
      <FormError error={error} />
      <button type="submit" className="button button--primary" disabled={pending}>
        {t('caseAction.returnSubmit')}
      </button>
    </form>
  );
}

/** The operator's decision on an escalated case: full refund, partial refund (amount) or reject, with a note. */
function DecisionForm({ c }: { c: AfterSalesCase }) {
  const { t } = useTranslation();
  const act = useCaseAction(c);
  const [outcome, setOutcome] = useState<DecisionOutcome>('full_refund');
  const [amount, setAmount] = useState('');
  const [invalid, setInvalid] = useState(false);
  return (
    <div className="case-actions" data-testid="decision">
      <h3>{t('decision.title')}</h3>
      <NoteForm
        name={`decide-${c.id}`}
        label={t('decision.note')}
        submitLabel={t('decision.submit')}
        danger={outcome === 'reject'}
        pending={act.isPending}
        error={act.error}
        onSubmit={(note) => {
          const minor = parseMoneyInput(amount, c.amount.currency);
          if (outcome !== 'partial_refund') act.mutate({ action: 'decide', body: { outcome, note } });
          else if (!minor || minor > c.amount.amount) setInvalid(true);
          else act.mutate({ action: 'decide', body: { outcome, amount: minor, note } });
        }}
      >
        <fieldset className="radio-group">
          <legend className="visually-hidden">{t('decision.outcome')}</legend>
          {DECISION_OUTCOMES.map((o) => (
            <label key={o} className="radio">
              <input type="radio" name={`outcome-${c.id}`} value={o} checked={outcome === o} onChange={() => setOutcome(o)} />
              {t(`decision.${o}`)}
            </label>
          ))}
        </fieldset>
        {outcome === 'partial_refund' && (
          <Field
            label={t('decision.amount', { currency: c.amount.currency })}
            name={`decide-amount-${c.id}`}
            inputMode="decimal"
            value={amount}
            error={invalid ? t('validation.amountInvalid') : null}
            onChange={(e) => {
              setAmount(e.target.value);
              setInvalid(false);
            }}
          />
        )}
      </NoteForm>
    </div>
  );
}
