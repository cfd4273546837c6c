import { ApiError, type Page } from '../api';
import { commerce, type ProductListItem } from './commerce';

/**
 * A shop's products as its members see them, drafts included (`status=all`); when the server
 * does not know that filter, the public list (live products) of the shop.
 */
export async function shopProducts(shopId: string, params: { cursor?: string | null; limit?: number; q?: string } = {}): Promise<Page<ProductListItem>> {
  try {
    return await commerce.products({ shop_id: shopId, status: 'all', ...params });
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) return commerce.products({ shop_id: shopId, ...params });
    throw err;
  }
}
