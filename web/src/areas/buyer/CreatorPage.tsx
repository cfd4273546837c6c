import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { StoreIcon } from '../../components/Icons';
import { Loading } from '../../components/Loading';
import { LoadMore } from '../../components/LoadMore';
import { PageHeader } from '../../components/PageHeader';
import { ProductImage } from '../../components/ProductImage';
import { commerce, type ProductSummary } from '../../lib/commerce';
import { content } from '../../lib/content';
import { useFormat } from '../../lib/format';
import '../../closing.css';
import { keys } from '../../api/keys';
import { VisitStoreLink } from '../../components/VisitStoreLink';

/**
 * A creator's or seller's products (`/creators/:id`): their showcase, then each of their shops'
 * live products. Where "All of …'s products" leads from a retired external link.
 */
export function CreatorPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const shops = useQuery({
    queryKey: keys.creatorShops(id),
    queryFn: () => content.creatorShops(id),
    retry: (n, err) => !(err instanceof ApiError && err.status === 404) && n < 2,
  });
  const showcase = useQuery({ queryKey: keys.showcase(id), queryFn: () => content.showcase(id), enabled: shops.isSuccess });

  if (shops.isPending) return <Loading />;
  if (shops.isError) {
    if (shops.error instanceof ApiError && (shops.error.status === 404 || shops.error.status === 400)) {
      return (
        <section className="panel">
          <EmptyState title={t('creatorPage.notFoundTitle')} icon={<StoreIcon />} testId="creator-not-found">
            <Link to="/feed">{t('productPage.backToFeed')}</Link>
          </EmptyState>
        </section>
      );
    }
    return <ErrorAlert error={shops.error} onRetry={() => void shops.refetch()} />;
  }
  const name = shops.data.creator.name;
  const showcased = showcase.data?.products ?? [];
  const nothing = shops.data.data.length === 0 && showcase.isSuccess && showcased.length === 0 && showcase.data.links.length === 0;
  return (
    <div data-testid="creator-page">
      <PageHeader title={t('creatorPage.title', { name })} subtitle={t('creatorPage.subtitle')} />
      {showcase.isError && <ErrorAlert error={showcase.error} onRetry={() => void showcase.refetch()} />}
      {showcased.length > 0 && (
        <section className="panel" aria-labelledby="creator-showcase-title">
          <h2 id="creator-showcase-title">{t('creatorPage.showcase')}</h2>
          <ProductTiles products={showcased} />
        </section>
      )}
      {(showcase.data?.links.length ?? 0) > 0 && (
        <section className="panel" aria-labelledby="creator-stores-title">
          <h2 id="creator-stores-title">{t('externalLinks.storesTitle')}</h2>
          <div className="visit-store-list" data-testid="creator-store-links">
            {showcase.data!.links.map((a) => (
              <VisitStoreLink key={a.id} anchor={a} className="anchor-button anchor-button--light" />
            ))}
          </div>
        </section>
      )}
      {shops.data.data.map((s) => (
        <ShopProducts key={s.id} shop={s} />
      ))}
      {nothing && (
        <section className="panel">
          <EmptyState title={t('creatorPage.emptyTitle')} icon={<StoreIcon />} testId="creator-empty">
            {t('creatorPage.emptyText', { name })}
          </EmptyState>
        </section>
      )}
    </div>
  );
}

function ShopProducts({ shop }: { shop: { id: string; name: string } }) {
  const { t } = useTranslation();
  const products = useInfiniteQuery({
    queryKey: keys.shopLiveProducts(shop.id),
    queryFn: ({ pageParam }) => commerce.products({ shop_id: shop.id, limit: 24, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = products.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section className="panel" aria-labelledby={`shop-${shop.id}`} data-testid="shop-products">
      <h2 id={`shop-${shop.id}`}>{shop.name}</h2>
      {products.isPending ? (
        <Loading />
      ) : products.isError ? (
        <ErrorAlert error={products.error} onRetry={() => void products.refetch()} />
      ) : rows.length === 0 ? (
        <p className="muted">{t('creatorPage.noProducts')}</p>
      ) : (
        <>
          <ProductTiles products={rows} />
          <LoadMore query={products} />
        </>
      )}
    </section>
  );
}

function ProductTiles({ products }: { products: ProductSummary[] }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  return (
    <ul className="product-grid">
      {products.map((p) => (
        <li key={p.id} className="product-tile">
          <Link to={`/products/${p.id}`}>
            <ProductImage src={p.images[0]} alt={p.title} className="product-tile__image" />
            <p className="product-tile__title">{p.title}</p>
            <p className="product-tile__price">{fmt.range(p.price_range)}</p>
            {p.available === 0 && <p className="error-text">{t('product.outOfStock')}</p>}
          </Link>
        </li>
      ))}
    </ul>
  );
}
