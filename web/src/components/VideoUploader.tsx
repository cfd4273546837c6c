import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { content, uploadVideo, type Video } from '../lib/content';
import type { Upload } from '../lib/upload';
import { useErrorMessage } from '../lib/errors';
import { useFormat } from '../lib/format';
import { ProductPicker } from './ProductPicker';
import { StatusBadge } from './StatusBadge';
import { UploadIcon } from './Icons';
import { keys } from '../api/keys';

const MAX_BYTES = 200 * 1024 * 1024;
const MAX_CAPTION = 2200;
const MAX_PRODUCTS = 5;

type Errors = { file?: string; caption?: string; products?: string };

/**
 * Upload a video with a caption and 1–5 products: a real progress bar (XMLHttpRequest upload
 * events), then the processing status until the video is ready or failed.
 */
export function VideoUploader({ shopId, videosKey }: { shopId?: string; videosKey: readonly unknown[] }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const qc = useQueryClient();
  const errorMessage = useErrorMessage();
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [caption, setCaption] = useState('');
  const [productIds, setProductIds] = useState<string[]>([]);
  const [errors, setErrors] = useState<Errors>({});
  const [progress, setProgress] = useState<number | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [uploaded, setUploaded] = useState<Video | null>(null);
  const current = useRef<Upload<Video> | null>(null);

  useEffect(() => () => current.current?.abort(), []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next: Errors = {};
    if (!file) next.file = 'uploader.errors.fileRequired';
    else if (file.size > MAX_BYTES) next.file = 'uploader.errors.fileTooLarge';
    else if (file.type && !file.type.startsWith('video/')) next.file = 'uploader.errors.notVideo';
    if (caption.length > MAX_CAPTION) next.caption = 'uploader.errors.captionTooLong';
    if (productIds.length === 0) next.products = 'uploader.errors.productsRequired';
    setErrors(next);
    if (Object.keys(next).length > 0 || !file) return;
    setFailure(null);
    setUploaded(null);
    setProgress(0);
    const upload = uploadVideo({ file, caption: caption.trim(), productIds }, setProgress);
    current.current = upload;
    upload.promise.then(
      (video) => {
        current.current = null;
        setProgress(null);
        setUploaded(video);
        setFile(null);
        setCaption('');
        setProductIds([]);
        if (fileInput.current) fileInput.current.value = '';
        void qc.invalidateQueries({ queryKey: videosKey });
      },
      (err: unknown) => {
        current.current = null;
        setProgress(null);
        setFailure(err);
      },
    );
  };

  const uploading = progress !== null;
  return (
    <form className="uploader form" onSubmit={submit} noValidate data-testid="video-uploader">
      <div className={`field${errors.file ? ' field--invalid' : ''}`}>
        <label htmlFor="field-video-file" className="dropzone">
          <UploadIcon />
          <span className="dropzone__title">{file ? file.name : t('uploader.chooseFile')}</span>
          <span className="muted">{file ? fmt.fileSize(file.size) : t('uploader.fileHint')}</span>
        </label>
        <input
          ref={fileInput}
          id="field-video-file"
          className="visually-hidden"
          type="file"
          name="file"
          accept="video/*"
          disabled={uploading}
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
        {errors.file && <p className="field__error">{t(errors.file)}</p>}
      </div>
      <div className={`field${errors.caption ? ' field--invalid' : ''}`}>
        <label htmlFor="field-caption">{t('uploader.caption')}</label>
        <textarea id="field-caption" name="caption" rows={2} value={caption} disabled={uploading} onChange={(e) => setCaption(e.target.value)} />
        <p className={errors.caption ? 'field__error' : 'field__hint'}>
          {errors.caption ? t(errors.caption) : t('uploader.captionCount', { n: fmt.number(caption.length), max: fmt.number(MAX_CAPTION) })}
        </p>
      </div>
      <ProductPicker shopId={shopId} selected={productIds} max={MAX_PRODUCTS} error={errors.products ? t(errors.products) : null} onChange={setProductIds} />
      {failure !== null && (
        <div role="alert" className="alert alert--error" data-testid="upload-error">
          {errorMessage(failure)}
        </div>
      )}
      {uploading ? (
        <div className="upload-progress" data-testid="upload-progress">
          <progress max={1} value={progress} aria-label={t('uploader.progressLabel')} />
          <span>{t('uploader.uploading', { percent: fmt.percent(progress) })}</span>
          <button type="button" className="button button--small" onClick={() => current.current?.abort()}>
            {t('common.cancel')}
          </button>
        </div>
      ) : (
        <button type="submit" className="button button--primary">
          {t('uploader.submit')}
        </button>
      )}
      {uploaded && <UploadStatus video={uploaded} videosKey={videosKey} />}
    </form>
  );
}

/** The just-uploaded video, polled while it is processing. */
function UploadStatus({ video, videosKey }: { video: Video; videosKey: readonly unknown[] }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const status = useQuery({
    queryKey: keys.video(video.id),
    queryFn: () => content.video(video.id),
    initialData: video,
    refetchInterval: (q) => (q.state.data?.status === 'processing' ? 2000 : false),
  });
  const s = status.data.status;
  useEffect(() => {
    if (s !== 'processing') void qc.invalidateQueries({ queryKey: videosKey });
  }, [s, qc, videosKey]);
  return (
    <div className={`upload-status upload-status--${s}`} role="status" data-testid="upload-status">
      <StatusBadge kind="videoStatus" status={s} />
      <span>
        {s === 'processing'
          ? t('uploader.processing')
          : s === 'ready'
            ? t('uploader.ready')
            : t('uploader.failed', { reason: t(`videoFailure.${status.data.failure_reason ?? 'unknown'}`, { defaultValue: status.data.failure_reason ?? '' }) })}
      </span>
    </div>
  );
}
