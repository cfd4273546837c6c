import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { ProductForm } from './components/ProductForm';
import { useToast } from '../../components/Toast';
import { commerce, newIdempotencyKey, type Product, type StockRow } from '../../lib/commerce';
import { useErrorMessage } from '../../lib/errors';
import { checkDraft, draftFromProduct, EMPTY_DRAFT, toCreateBody, toUpdate, type DraftErrors, type ProductDraft } from '../../lib/productForm';
import { useSellerShop } from '../../lib/shops';
import { keys } from '../../api/keys';

/** /seller/products/new and /seller/products/:productId. */
export function ProductEditor() {
  const { productId } = useParams();
  const shop = useSellerShop();
  const loaded = useQuery({
    queryKey: keys.sellerProduct(productId),
    enabled: !!productId,
    queryFn: async () => {
      const product = await commerce.product(productId!);
      const rows = await Promise.all(product.variants.map((v) => commerce.stock(v.sku_id).catch(() => [] as StockRow[])));
      return { product, stock: new Map(product.variants.map((v, i) => [v.sku_id, rows[i] ?? []])) };
    },
  });
  if (!productId) return <Editor key="new" initial={EMPTY_DRAFT} />;
  if (loaded.isPending) return <Loading />;
  if (loaded.isError) return <ErrorAlert error={loaded.error} onRetry={() => void loaded.refetch()} />;
  return <Editor key={productId} product={loaded.data.product} initial={draftFromProduct(loaded.data.product, loaded.data.stock, shop.currency)} />;
}

function Editor({ product, initial }: { product?: Product; initial: ProductDraft }) {
  const { t } = useTranslation();
  const shop = useSellerShop();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const [draft, setDraft] = useState(initial);
  const [errors, setErrors] = useState<DraftErrors>({});
  const createKey = useRef<{ body: string; key: string } | null>(null);

  const save = useMutation({
    mutationFn: async (d: ProductDraft) => {
      if (!product) {
        const body = toCreateBody(d, shop.currency);
        const json = JSON.stringify(body);
        if (!createKey.current || createKey.current.body !== json) createKey.current = { body: json, key: newIdempotencyKey() };
        return commerce.createProduct(shop.id, body, createKey.current.key);
      }
      const patch = toUpdate(d, product, shop.currency);
      return Object.keys(patch).length > 0 ? commerce.updateProduct(product.id, patch) : product;
    },
    onSuccess: (saved) => {
      // The list shows fresh figures, never the ones from before the save.
      qc.removeQueries({ queryKey: keys.sellerProducts() });
      void qc.invalidateQueries({ queryKey: keys.sellerProduct(saved.id) });
      void qc.invalidateQueries({ queryKey: keys.product(saved.id) });
      toast({ text: t('productForm.saved', { title: saved.title }), path: '/seller/products' });
      navigate('/seller/products');
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status >= 400 && err.status < 500) createKey.current = null;
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = checkDraft(draft, shop.currency);
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    save.mutate(draft);
  };

  return (
    <form className="panel form" onSubmit={submit} noValidate data-testid="product-form">
      <div className="panel__head">
        <h2>{product ? t('productForm.editTitle', { title: product.title }) : t('productForm.newTitle')}</h2>
        <Link to="/seller/products">{t('productForm.backToList')}</Link>
      </div>
      {save.error && (
        <div role="alert" className="alert alert--error" data-testid="form-error">
          {errorMessage(save.error)}
        </div>
      )}
      {Object.keys(errors).length > 0 && !save.error && (
        <div role="alert" className="alert alert--error">
          {t('productForm.fixErrors')}
        </div>
      )}
      <ProductForm
        draft={draft}
        errors={errors}
        currency={shop.currency}
        editing={!!product}
        onChange={(next) => {
          setDraft(next);
          // Fields already flagged are checked again as they are corrected; others wait for Save.
          if (Object.keys(errors).length > 0) {
            const now = checkDraft(next, shop.currency);
            setErrors(Object.fromEntries(Object.entries(now).filter(([k]) => k in errors)));
          }
        }}
      />
      <div className="form-actions">
        <Link to="/seller/products" className="button">
          {t('common.cancel')}
        </Link>
        <button type="submit" className="button button--primary" disabled={save.isPending}>
          {save.isPending ? t('productForm.saving') : product ? t('productForm.save') : t('productForm.create')}
        </button>
      </div>
    </form>
  );
}
