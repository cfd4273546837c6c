import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApplicationDetails } from '../../components/ApplicationDetails';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { NoteForm } from '../../components/NoteForm';
import { PagedList } from '../../components/PagedList';
import { StatusBadge } from '../../components/StatusBadge';
import { formatRegion } from '../../i18n/format';
import { useErrorMessage } from '../../lib/errors';
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
        <label className="shop-picker">
          <span>{t('operator.show')}</span>
          <select value={status} onChange={(e) => setStatus(e.target.value as ApplicationStatus | '')} data-testid="applications-status">
            <option value="">{t('operator.all')}</option>
            {APPLICATION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`applicationStatus.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <PagedList list={list} emptyTitle={t('operator.applications.emptyTitle')} emptyText={t('operator.applications.emptyText')} testId="applications">
        {(rows) => (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('operator.applications.company')}</th>
                  <th scope="col">{t('application.market')}</th>
                  <th scope="col">{t('application.category')}</th>
                  <th scope="col">{t('application.mode')}</th>
                  <th scope="col">{t('application.submitted')}</th>
                  <th scope="col">{t('operator.applications.status')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((a) => (
                  <tr key={a.id} data-testid="application-row">
                    <td>
                      <Link to={`/operator/applications/${a.id}`}>{a.company_name}</Link>
                    </td>
                    <td>{formatRegion(a.market, fmt.locale)}</td>
                    <td>{a.category}</td>
                    <td>{t(`shopMode.${a.mode}`)}</td>
                    <td>{fmt.dateTime(a.created_at)}</td>
                    <td>
                      <StatusBadge kind="applicationStatus" status={a.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
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
  const errorMessage = useErrorMessage();
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
        {review.error != null && <p role="alert" className="error-text">{errorMessage(review.error)}</p>}
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
        {review.variables?.action === 'needs_info' && review.error != null && (
          <p role="alert" className="error-text">
            {errorMessage(review.error)}
          </p>
        )}
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
