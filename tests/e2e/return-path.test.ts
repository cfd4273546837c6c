import { describe, expect, it } from 'vitest';
import { safeReturnPath, signInPath } from '../../web/src/lib/returnPath.js';

/** Issue 16 §2: sign-in returns to where the visitor was, and only to a page of this site. */
describe('the return path after signing in', () => {
  it('keeps a same-origin relative path with its query and fragment', () => {
    expect(safeReturnPath('/products/prd_01abc')).toBe('/products/prd_01abc');
    expect(safeReturnPath('/products/prd_01abc?video=vid_1#reviews')).toBe('/products/prd_01abc?video=vid_1#reviews');
    expect(safeReturnPath('/live/liv_1')).toBe('/live/liv_1');
    expect(safeReturnPath('/feed/../cart')).toBe('/cart');
  });

  it('ignores anything that could leave the site', () => {
    for (const evil of [
      'https://evil.example',
      'http://evil.example/products/1',
      '//evil.example',
      '//evil.example/feed',
      '/\\evil.example',
      '/\\/evil.example',
      '\\\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'evil.example',
      'feed',
      '',
      ' /feed',
    ]) {
      expect(safeReturnPath(evil), JSON.stringify(evil)).toBeNull();
    }
    expect(safeReturnPath(null)).toBeNull();
    expect(safeReturnPath(undefined)).toBeNull();
    expect(safeReturnPath({ pathname: '/feed' })).toBeNull();
  });

  it('never returns to the sign-in or sign-up page itself', () => {
    expect(safeReturnPath('/sign-in')).toBeNull();
    expect(safeReturnPath('/sign-in?next=%2Fcart')).toBeNull();
    expect(safeReturnPath('/sign-up')).toBeNull();
    expect(safeReturnPath('/sign-inside')).toBe('/sign-inside');
  });

  it('asks sign-in to come back with ?next=, only for a safe path', () => {
    expect(signInPath('/products/prd_1?video=vid_2')).toBe('/sign-in?next=%2Fproducts%2Fprd_1%3Fvideo%3Dvid_2');
    expect(signInPath('//evil.example')).toBe('/sign-in');
    expect(signInPath('/')).toBe('/sign-in');
  });
});
