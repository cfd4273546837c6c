import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { BoxIcon } from '../../components/Icons';
import { Loading } from '../../components/Loading';
import { ProductImage } from '../../components/ProductImage';
import { StatusBadge } from '../../components/StatusBadge';
import { shopProducts } from '../../lib/catalog';
import { useFormat } from '../../lib/format';
import { useSellerShop } from '../../lib/shops';
import { keys } from '../../api/keys';

/** The shop's products (drafts included) with status, price range and stock. */
export function SellerProducts() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const shop = useSellerShop();
  const products = useInfiniteQuery({
    queryKey: keys.sellerProducts(shop.id),
    queryFn: ({ pageParam }) => shopProducts(shop.id, { cursor: pageParam, limit: 50 }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

  const newButton = (
    <Link to="/seller/products/new" className="button button--primary" data-testid="new-product">
      {t('sellerProducts.new')}
    </Link>
  );

  return (
    <section className="panel" aria-labelledby="seller-products-title">
      <div className="panel__head">
        <h2 id="seller-products-title">{t('sellerProducts.title')}</h2>
        {newButton}
      </div>
      {products.isPending ? (
        <Loading />
      ) : products.isError ? (
        <ErrorAlert error={products.error} onRetry={() => void products.refetch()} />
      ) : products.data.pages[0]?.data.length === 0 ? (
        <EmptyState title={t('sellerProducts.emptyTitle')} icon={<BoxIcon />} testId="seller-products-empty">
          {t('sellerProducts.emptyText')}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table table--products" data-testid="seller-products">
            <thead>
              <tr>
                <th scope="col">{t('sellerProducts.columns.product')}</th>
                <th scope="col">{t('sellerProducts.columns.status')}</th>
                <th scope="col" className="num">
                  {t('sellerProducts.columns.price')}
                </th>
                <th scope="col" className="num">
                  {t('sellerProducts.columns.stock')}
                </th>
                <th scope="col">
                  <span className="visually-hidden">{t('sellerProducts.columns.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {products.data.pages
                .flatMap((p) => p.data)
                .map((p) => (
                  <tr key={p.id} data-testid="seller-product-row">
                    <td>
                      <div className="product-cell">
                        <ProductImage src={p.images[0]} alt={p.title} className="product-cell__image" />
                        <div>
                          <Link to={`/seller/products/${p.id}`} className="product-cell__title">
                            {p.title}
                          </Link>
                          {p.category && <p className="muted product-cell__meta">{p.category}</p>}
                        </div>
                      </div>
                    </td>
                    <td>
                      <StatusBadge kind="productStatus" status={p.status ?? 'live'} />
                    </td>
                    <td className="num">{fmt.range(p.price_range)}</td>
                    <td className={`num${p.available === 0 ? ' text-bad' : ''}`}>{p.available === 0 ? t('product.outOfStock') : fmt.number(p.available)}</td>
                    <td className="num">
                      <Link to={`/seller/products/${p.id}`} className="button button--small">
                        {t('sellerProducts.edit')}
                      </Link>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
          {products.hasNextPage && (
            <button type="button" className="button table-more" disabled={products.isFetchingNextPage} onClick={() => void products.fetchNextPage()}>
              {products.isFetchingNextPage ? t('common.loading') : t('common.loadMore')}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
