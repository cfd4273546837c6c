import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { BoxIcon } from '../../components/Icons';
import { Loading } from '../../components/Loading';
import { ProductReviews } from './components/ProductReviews';
import { ProductDetails } from './components/ProductSheet';
import { ApiError } from '../../api';
import { sourceFromQuery } from '../../lib/cartSource';
import { commerce } from '../../lib/commerce';
import '../../closing.css';
import { keys } from '../../api/keys';

/**
 * A product on its own page (`/products/:id`): pictures, variants with price and availability,
 * add to cart. Where a retired external link sends buyers, and a link anyone can share.
 */
export function ProductPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const source = sourceFromQuery(params);
  const product = useQuery({ queryKey: keys.product(id), queryFn: () => commerce.product(id), retry: (n, err) => !(err instanceof ApiError && err.status === 404) && n < 2 });
  const appName = t('app.name');
  useEffect(() => {
    if (product.data) document.title = `${product.data.title} · ${appName}`;
  }, [product.data, appName]);

  if (product.isPending) return <Loading />;
  if (product.isError) {
    if (product.error instanceof ApiError && product.error.status === 404) {
      return (
        <section className="panel">
          <EmptyState title={t('productPage.notFoundTitle')} icon={<BoxIcon />} testId="product-not-found">
            <p>{t('productPage.notFoundText')}</p>
            <Link to="/feed">{t('productPage.backToFeed')}</Link>
          </EmptyState>
        </section>
      );
    }
    return <ErrorAlert error={product.error} onRetry={() => void product.refetch()} />;
  }
  return (
    <article className="panel product-page" data-testid="product-page">
      <h1 className="visually-hidden">{product.data.title}</h1>
      <ProductDetails product={product.data} source={source} placeholder onAdded={() => {}} />
      <ProductReviews productId={product.data.id} rating={product.data.rating} />
    </article>
  );
}
