import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormError } from '../../components/FormError';
import { BoxIcon } from '../../components/Icons';
import { Loading } from '../../components/Loading';
import { PagedList } from '../../components/PagedList';
import { closing, importFinished, uploadImport, type ImportSummary, type ImportView } from '../../lib/closing';
import { useFormat } from '../../lib/format';
import { usePaged } from '../../lib/paging';
import { useSellerShop } from '../../lib/shops';
import '../../closing.css';
import { keys } from '../../api/keys';

const TONES: Record<string, string> = { queued: 'neutral', running: 'info', done: 'ok', failed: 'bad' };
/** Report lines shown at first and added by each "Load more". */
const REPORT_PAGE = 50;

function ImportStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge--${TONES[status] ?? 'neutral'}`} data-testid="import-status" data-status={status}>
      {t(`imports.status.${status}`, { defaultValue: status })}
    </span>
  );
}

/** Import a Shopify product export as draft products, and the shop's past imports. */
export function SellerImports() {
  const { t } = useTranslation();
  const shop = useSellerShop();
  const list = usePaged(keys.imports(shop.id), (cursor) => closing.imports(shop.id, { limit: 20, cursor }));
  return (
    <div className="grid grid--split">
      <section className="panel" aria-labelledby="import-upload-title">
        <h2 id="import-upload-title">{t('imports.uploadTitle')}</h2>
        <p className="muted">{t('imports.intro')}</p>
        <UploadForm shopId={shop.id} />
      </section>
      <section className="panel" aria-labelledby="imports-title">
        <h2 id="imports-title">{t('imports.pastTitle')}</h2>
        <PagedList list={list} emptyTitle={t('imports.emptyTitle')} emptyText={t('imports.emptyText')} testId="imports">
          {(rows) => (
            <ul className="case-list">
              {rows.map((i) => (
                <ImportRow key={i.id} item={i} />
              ))}
            </ul>
          )}
        </PagedList>
      </section>
    </div>
  );
}

function ImportRow({ item }: { item: ImportSummary }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  return (
    <li className="case-card" data-testid="import-row">
      <div className="shipment__head">
        <Link to={`/seller/imports/${item.id}`}>{item.file_name}</Link>
        <ImportStatusBadge status={item.status} />
      </div>
      <span className="muted">
        {t('imports.rowSummary', { time: fmt.dateTime(item.created_at), created: fmt.number(item.products_created), skipped: fmt.number(item.rows_skipped) })}
      </span>
    </li>
  );
}

function UploadForm({ shopId }: { shopId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [missing, setMissing] = useState(false);
  const [sent, setSent] = useState<number | null>(null);
  const upload = useMutation({
    mutationFn: (f: File) => uploadImport(shopId, f, setSent).promise,
    onSuccess: (created) => {
      void qc.invalidateQueries({ queryKey: keys.imports(shopId) });
      qc.setQueryData(keys.import(created.id), created);
      navigate(`/seller/imports/${created.id}`);
    },
    onSettled: () => setSent(null),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMissing(!file);
    if (file) upload.mutate(file);
  };
  return (
    <form className="form" onSubmit={submit} noValidate data-testid="import-form">
      <div className={`field${missing ? ' field--invalid' : ''}`}>
        <label htmlFor="import-file">{t('imports.file')}</label>
        <input
          ref={input}
          id="import-file"
          type="file"
          accept=".csv,text/csv"
          aria-invalid={missing}
          aria-describedby="import-file-hint"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setMissing(false);
          }}
        />
        <p id="import-file-hint" className={missing ? 'field__error' : 'field__hint'}>
          {missing ? t('imports.fileRequired') : file ? t('imports.fileChosen', { name: file.name, size: fmt.fileSize(file.size) }) : t('imports.fileHint')}
        </p>
      </div>
      {sent !== null && (
        <div className="upload-progress">
          <progress max={1} value={sent} aria-label={t('imports.uploading')} />
          <span>{fmt.percent(sent)}</span>
        </div>
      )}
      <FormError error={upload.error} />
      <button type="submit" className="button button--primary" disabled={upload.isPending} data-testid="import-submit">
        {upload.isPending ? t('imports.uploading') : t('imports.start')}
      </button>
    </form>
  );
}

/** One import: progress while it runs (polled), then its counts and per-row report. */
export function SellerImport() {
  const { t } = useTranslation();
  const { importId = '' } = useParams();
  const view = useQuery({
    queryKey: keys.import(importId),
    queryFn: () => closing.import(importId),
    refetchInterval: (q) => (q.state.data && importFinished(q.state.data) ? false : 1000),
  });
  return (
    <section className="panel" aria-labelledby="import-title">
      <div className="panel__head">
        <h2 id="import-title">{view.data?.file_name ?? t('imports.detailTitle')}</h2>
        <Link to="/seller/imports" className="button button--small">
          {t('imports.back')}
        </Link>
      </div>
      {view.isPending ? <Loading /> : view.isError ? <ErrorAlert error={view.error} onRetry={() => void view.refetch()} /> : <ImportDetails item={view.data} />}
    </section>
  );
}

function ImportDetails({ item }: { item: ImportView }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const qc = useQueryClient();
  const [shown, setShown] = useState(REPORT_PAGE);
  const rerun = useMutation({
    mutationFn: () => closing.rerunImport(item.id),
    onSuccess: (next) => qc.setQueryData(keys.import(item.id), next),
  });
  const fraction = item.rows_total === 0 ? 1 : item.rows_done / item.rows_total;
  const finished = importFinished(item);
  return (
    <div className="stack" data-testid="import-detail" data-status={item.status}>
      <div className="import-progress">
        <div className="shipment__head">
          <ImportStatusBadge status={item.status} />
          <span className="muted" data-testid="import-rows">
            {t('imports.progress', { done: fmt.number(item.rows_done), total: fmt.number(item.rows_total) })}
          </span>
        </div>
        <progress
          className="progress-bar"
          max={item.rows_total || 1}
          value={item.rows_done}
          aria-label={t('imports.progressLabel')}
          aria-valuetext={fmt.percent(fraction)}
          data-testid="import-progress"
        />
      </div>
      <dl className="stats">
        <div>
          <dt>{t('imports.productsCreated')}</dt>
          <dd data-testid="products-created">{fmt.number(item.products_created)}</dd>
        </div>
        <div>
          <dt>{t('imports.variantsCreated')}</dt>
          <dd>{fmt.number(item.variants_created)}</dd>
        </div>
        <div>
          <dt>{t('imports.productsSkipped')}</dt>
          <dd>{fmt.number(item.products_skipped)}</dd>
        </div>
        <div>
          <dt>{t('imports.rowsSkipped')}</dt>
          <dd data-testid="rows-skipped">{fmt.number(item.rows_skipped)}</dd>
        </div>
      </dl>
      {item.status === 'failed' && (
        <div role="alert" className="alert alert--error alert--row">
          <span>{t('imports.failed')}</span>
          <button type="button" className="button button--small" disabled={rerun.isPending} onClick={() => rerun.mutate()}>
            {t('imports.resume')}
          </button>
        </div>
      )}
      <FormError error={rerun.error} />
      {item.status === 'done' && (
        <div className="alert alert--row" data-testid="import-done">
          <span>{t('imports.done', { n: fmt.number(item.products_created) })}</span>
          <span className="button-row">
            <Link to="/seller/products" className="button button--small" data-testid="drafts-link">
              {t('imports.reviewDrafts')}
            </Link>
            <Link to="/seller/anchors" className="button button--small button--primary" data-testid="anchors-link">
              {t('imports.replaceAnchors')}
            </Link>
          </span>
        </div>
      )}
      <h3>{t('imports.reportTitle')}</h3>
      {item.report.length === 0 ? (
        finished ? (
          <EmptyState title={t('imports.reportEmpty')} icon={<BoxIcon />} testId="import-report-empty" />
        ) : (
          <p className="muted">{t('imports.reportPending')}</p>
        )
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="import-report">
            <thead>
              <tr>
                <th scope="col" className="num">
                  {t('imports.columns.row')}
                </th>
                <th scope="col">{t('imports.columns.handle')}</th>
                <th scope="col">{t('imports.columns.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {item.report.slice(0, shown).map((line, i) => (
                <tr key={`${line.row}-${line.reason}-${i}`} data-testid="report-line" data-reason={line.reason}>
                  <td className="num">{fmt.number(line.row)}</td>
                  <td>
                    <code>{line.handle || t('imports.noHandle')}</code>
                  </td>
                  <td>
                    {t(`imports.reasons.${line.reason}`, { defaultValue: '' }) || (
                      <span lang="en">
                        <code>{line.reason}</code> {line.message}
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown < item.report.length && (
            <button type="button" className="button table-more" onClick={() => setShown((n) => n + REPORT_PAGE)}>
              {t('common.loadMore')}
            </button>
          )}
          {item.report.length >= 1000 && <p className="muted">{t('imports.reportTruncated', { n: fmt.number(item.report.length) })}</p>}
        </div>
      )}
    </div>
  );
}
