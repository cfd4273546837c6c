import { ApiError, CSRF_HEADERS, parseResponse } from '../api';

export interface Upload<T> {
  promise: Promise<T>;
  abort(): void;
}

/**
 * A multipart POST through XMLHttpRequest, which (unlike fetch) reports upload progress:
 * `onProgress` gets the fraction sent, 0…1. Answers and failures become values or ApiErrors as
 * with `request`. Put the file last in `form`, so the server has the other fields first.
 */
export function postMultipart<T>(path: string, form: FormData, onProgress?: (fraction: number) => void): Upload<T> {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<T>((resolve, reject) => {
    xhr.open('POST', path);
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
