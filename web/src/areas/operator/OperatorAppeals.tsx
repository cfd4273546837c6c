import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FilterSelect } from '../../components/FilterSelect';
import { PagedList } from '../../components/PagedList';
import { operator } from '../../lib/operator';
import { usePaged } from '../../lib/paging';
import { ActionCard } from './OperatorShops';
import { keys } from '../../api/keys';

/** Shops' appeals against actions: pending ones wait for a decision (grant reverses the action); all for the record. */
export function OperatorAppeals() {
  const { t } = useTranslation();
  const [which, setWhich] = useState<'pending' | 'all'>('pending');
  const list = usePaged(keys.shopActions(which), (cursor) => operator.actions({ appeal: which, limit: 20, cursor }));
  return (
    <section className="panel" aria-labelledby="appeals-title">
      <div className="panel__head">
        <h2 id="appeals-title">{t('console.appeals.title')}</h2>
        <FilterSelect label={t('operator.show')} value={which} onChange={(e) => setWhich(e.target.value as 'pending' | 'all')} data-testid="appeals-filter">
          <option value="pending">{t('console.appeals.pending')}</option>
          <option value="all">{t('console.appeals.all')}</option>
        </FilterSelect>
      </div>
      <PagedList list={list} emptyTitle={t('console.appeals.emptyTitle')} emptyText={t('console.appeals.emptyText')} testId="appeals">
        {(rows) => (
          <ul className="case-list">
            {rows.map((a) => (
              <ActionCard key={a.id} action={a} showShop />
            ))}
          </ul>
        )}
      </PagedList>
    </section>
  );
}
