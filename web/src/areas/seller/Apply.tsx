import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApplicationDetails } from '../../components/ApplicationDetails';
import { ApplicationForm } from './components/ApplicationForm';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { PagedList } from '../../components/PagedList';
import { usePaged } from '../../lib/paging';
import { hasRole, ME_KEY, useMe } from '../../lib/session';
import { canResubmit, sellers, type Application } from '../../lib/sellers';
import { keys } from '../../api/keys';

/** /apply: apply to sell with an invitation code, then follow the application (checks, questions, timeline). */
export function Apply() {
  const { t } = useTranslation();
  const mine = usePaged(keys.applications('mine'), (cursor) => sellers.mine({ limit: 10, cursor }));
  const [applying, setApplying] = useState(false);
  const none = !mine.query.isPending && !mine.query.isError && mine.rows.length === 0;

  return (
    <>
      <PageHeader
        title={t('apply.title')}
        subtitle={t('apply.subtitle')}
        actions={
          !none && !applying ? (
            <button type="button" className="button" onClick={() => setApplying(true)} data-testid="new-application">
              {t('apply.new')}
            </button>
          ) : undefined
        }
      />
      {mine.query.isPending ? (
        <Loading />
      ) : applying || none ? (
        <section className="panel" aria-labelledby="apply-form-title">
          <h2 id="apply-form-title">{t('apply.formTitle')}</h2>
          <ApplicationForm onDone={() => setApplying(false)} />
        </section>
      ) : (
        <PagedList list={mine} emptyTitle={t('apply.emptyTitle')} emptyText={t('apply.emptyText')} testId="my-applications">
          {(rows) => rows.map((a) => <MyApplication key={a.id} a={a} />)}
        </PagedList>
      )}
    </>
  );
}

function MyApplication({ a }: { a: Application }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { data: me } = useMe();
  const [answering, setAnswering] = useState(false);
  // Approval made the applicant a seller: the account learns it from a fresh look at /v1/me.
  const seller = hasRole(me, 'seller');
  const newSeller = a.status === 'approved' && !seller;
  useEffect(() => {
    if (newSeller) void qc.invalidateQueries({ queryKey: ME_KEY });
  }, [newSeller, qc]);
  return (
    <ApplicationDetails a={a}>
      <p className="muted">{t(`apply.statusHelp.${a.status}`)}</p>
      {a.status === 'approved' && seller && (
        <Link to="/seller" className="button button--primary" data-testid="open-seller-center">
          {t('apply.openSellerCenter')}
        </Link>
      )}
      {canResubmit(a) &&
        (answering ? (
          <ApplicationForm application={a} onDone={() => setAnswering(false)} />
        ) : (
          <button type="button" className="button button--primary" onClick={() => setAnswering(true)} data-testid="answer-application">
            {t('apply.change')}
          </button>
        ))}
    </ApplicationDetails>
  );
}
