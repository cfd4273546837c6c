import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApplicationDetails } from '../../components/ApplicationDetails';
import { DataTable } from '../../components/DataTable';
import { ErrorAlert } from '../../components/ErrorAlert';
import { StatusFilter } from '../../components/FilterSelect';
import { FormError } from '../../components/FormError';
import { Loading } from '../../components/Loading';
import { NoteForm } from '../../components/NoteForm';
import { PagedList } from '../../components/PagedList';
import { StatusBadge } from '../../components/StatusBadge';
import { formatRegion } from '../../i18n/format';
import { useFormat } from '../../lib/format';
import { usePaged } from '../../lib/paging';
import { APPLICATION_STATUSES, sellers, useApplicationMutation, type Application, type ApplicationStatus, type ReviewAction } from '../../lib/sellers';
import { keys } from '../../api/keys';

/** The review queue of seller applications, oldest first, by status. */
export function OperatorApplications() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [status, setStatus] = useState<ApplicationStatus | ''>('submitted');
  const list = usePaged(keys.applications('queue', status), (cursor) => sellers.queue({ status: status || undefined, limit: 20, cursor }));
  return (
    <section className="panel" aria-labelledby="applications-title">
      <div className="panel__head">
        <h2 id="applications-title">{t('operator.applications.title')}</h2>
        <StatusFilter value={status} statuses={APPLICATION_STATUSES} kind="applicationStatus" testId="applications-status" onChange={setStatus} />
      </div>
      <PagedList list={list} emptyTitle={t('operator.applications.emptyTitle')} emptyText={t('operator.applications.emptyText')} testId="applications">
        {(rows) => (
          <DataTable
            columns={[
              { header: t('operator.applications.company'), cell: (a) => <Link to={`/operator/applications/${a.id}`}>{a.company_name}</Link> },
              { header: t('application.market'), cell: (a) => formatRegion(a.market, fmt.locale) },
              { header: t('application.category'), cell: (a) => a.category },
              { header: t('application.mode'), cell: (a) => t(`shopMode.${a.mode}`) },
              { header: t('application.submitted'), cell: (a) => fmt.dateTime(a.created_at) },
              { header: t('operator.applications.status'), cell: (a) => <StatusBadge kind="applicationStatus" status={a.status} /> },
            ]}
            rows={rows}
            rowKey={(a) => a.id}
            rowProps={() => ({ 'data-testid': 'application-row' })}
          />
        )}
      </PagedList>
    </section>
  );
}

/** One application for review: its data, documents, checks and timeline, and the decision. */
export function OperatorApplication() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const app = useQuery({ queryKey: keys.application(id), queryFn: () => sellers.application(id) });
  return (
    <>
      <p className="back-link">
        <Link to="/operator/applications">{t('operator.applications.back')}</Link>
      </p>
      {app.isPending ? (
        <Loading />
      ) : app.isError ? (
        <ErrorAlert error={app.error} onRetry={() => void app.refetch()} />
      ) : (
        <ApplicationDetails a={app.data}>
          <ReviewActions a={app.data} />
        </ApplicationDetails>
      )}
    </>
  );
}

function ReviewActions({ a }: { a: Application }) {
  const { t } = useTranslation();
  const review = useApplicationMutation((body: { action: ReviewAction; note?: string; questions?: string[] }) => sellers.review(a.id, body));
  const [questions, setQuestions] = useState('');
  const [missing, setMissing] = useState(false);
  const ask = (e: FormEvent) => {
    e.preventDefault();
    const list = questions.split('\n').map((q) => q.trim()).filter(Boolean);
    setMissing(list.length === 0);
    if (list.length) review.mutate({ action: 'needs_info', questions: list });
  };
  if (a.status === 'submitted') {
    return (
      <div className="action-row">
        <button type="button" className="button button--primary" disabled={review.isPending} onClick={() => review.mutate({ action: 'start_review' })} data-testid="start-review">
          {t('operator.applications.startReview')}
        </button>
        <FormError error={review.error} />
      </div>
    );
  }
  if (a.status !== 'in_review') return null;
  return (
    <div className="review-actions" data-testid="review-actions">
      <NoteForm
        name="approve"
        label={t('operator.applications.approveNote')}
        submitLabel={t('operator.applications.approve')}
        optional
        pending={review.isPending}
        error={review.variables?.action === 'approve' ? review.error : null}
        onSubmit={(note) => review.mutate({ action: 'approve', note: note || undefined })}
      />
      <form className="form" onSubmit={ask} noValidate data-testid="needs-info-form">
        <div className={`field${missing ? ' field--invalid' : ''}`}>
          <label htmlFor="field-questions">{t('operator.applications.questions')}</label>
          <textarea id="field-questions" rows={3} value={questions} aria-invalid={missing} onChange={(e) => setQuestions(e.target.value)} />
          {missing ? <p className="field__error">{t('operator.applications.questionsRequired')}</p> : <p className="field__hint">{t('operator.applications.questionsHint')}</p>}
        </div>
        {review.variables?.action === 'needs_info' && <FormError error={review.error} />}
        <button type="submit" className="button" disabled={review.isPending}>
          {t('operator.applications.askForInfo')}
        </button>
      </form>
      <NoteForm
        name="reject"
        label={t('operator.applications.rejectNote')}
        submitLabel={t('operator.applications.reject')}
        danger
        pending={review.isPending}
        error={review.variables?.action === 'reject' ? review.error : null}
        onSubmit={(note) => review.mutate({ action: 'reject', note })}
      />
    </div>
  );
}
