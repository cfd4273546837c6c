import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import { useErrorMessage } from '../lib/errors';
import { useFormat } from '../lib/format';
import { DOCUMENT_TYPES, MAX_DOCUMENT_BYTES, sellers, type ApplicationDocument, type DocumentKind } from '../lib/sellers';

/** One kind of qualification document: choose files, see each upload's progress, the uploaded ones and errors. */
export function DocumentUpload({
  kind,
  required,
  documents,
  onUploaded,
}: {
  kind: DocumentKind;
  required: boolean;
  documents: ApplicationDocument[];
  onUploaded: (doc: ApplicationDocument) => void;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const errorMessage = useErrorMessage();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = `field-doc-${kind}`;

  const upload = async (file: File) => {
    setError(null);
    if (file.size > MAX_DOCUMENT_BYTES) return setError(t('apply.documents.tooLarge'));
    setProgress(0);
    try {
      onUploaded(await sellers.uploadDocument(kind, file, setProgress).promise);
    } catch (err) {
      const code = err instanceof ApiError ? err.code : '';
      setError(code === 'unsupported_media' ? t('apply.documents.wrongType') : code === 'file_too_large' ? t('apply.documents.tooLarge') : errorMessage(err));
    } finally {
      setProgress(null);
    }
  };

  return (
    <div className={`field${error ? ' field--invalid' : ''}`} data-testid={`document-${kind}`}>
      <label htmlFor={id}>
        {t(`documentKind.${kind}`)}
        {!required && <span className="muted"> ({t('common.optional')})</span>}
      </label>
      <input
        id={id}
        type="file"
        accept={DOCUMENT_TYPES}
        disabled={progress !== null}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void upload(file);
        }}
      />
      {progress !== null ? (
        <div className="upload-progress">
          <progress max={1} value={progress} aria-label={t('apply.documents.uploading', { kind: t(`documentKind.${kind}`) })} />
          <span>{fmt.percent(progress)}</span>
        </div>
      ) : (
        !error && <p className="field__hint">{t('apply.documents.hint')}</p>
      )}
      {error && <p className="field__error">{error}</p>}
      {documents.length > 0 && (
        <ul className="doc-list">
          {documents.map((d) => (
            <li key={d.id} data-testid="document">
              <DocumentLink doc={d} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A link that opens a qualification document (served only to its uploader and operators). */
export function DocumentLink({ doc }: { doc: ApplicationDocument }) {
  const { t } = useTranslation();
  const type = doc.content_type === 'application/pdf' ? 'PDF' : doc.content_type.replace('image/', '').toUpperCase();
  return (
    <a href={doc.url} target="_blank" rel="noreferrer">
      {t('apply.documents.open', { kind: t(`documentKind.${doc.kind}`), type })}
    </a>
  );
}
