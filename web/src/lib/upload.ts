import { ApiError, CSRF_HEADERS, parseResponse } from '../api';
import type { paths } from '../api/schema';
import type { ResponseOf } from '../api/types';

type UploadPath = { [P in keyof paths]: paths[P] extends { post: { requestBody?: { content: { 'multipart/form-data': unknown } } } } ? P : never }[keyof paths];

export interface Upload<T> {
  promise: Promise<T>;
  abort(): void;
}

/**
 * A multipart POST through XMLHttpRequest, which (unlike fetch) reports upload progress:
 * `onProgress` gets the fraction sent, 0…1; `pathParams` fill the path's `{name}`s. Answers and failures become values or ApiErrors as
 * with `request`. Put the file last in `form`, so the server has the other fields first.
 */
export function postMultipart<P extends UploadPath>(
  path: P,
  form: FormData,
  onProgress?: (fraction: number) => void,
  pathParams: Record<string, string> = {},
): Upload<ResponseOf<P, 'post'>> {
  type T = ResponseOf<P, 'post'>;
  const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(pathParams[name] ?? ''));
  const xhr = new XMLHttpRequest();
  const promise = new Promise<T>((resolve, reject) => {
    xhr.open('POST', url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    for (const [name, value] of Object.entries(CSRF_HEADERS)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (onProgress && e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      try {
        resolve(parseResponse<T>(xhr.status, xhr.statusText, xhr.responseText));
      } catch (err) {
        reject(err);
      }
    };
    xhr.onerror = () => reject(new ApiError('network_error', 0, 'Network error'));
    xhr.onabort = () => reject(new ApiError('upload_aborted', 0, 'Upload cancelled'));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
