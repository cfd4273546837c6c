import { BoxIcon } from './Icons';

/** A product's picture, or a neutral placeholder when it has none. */
export function ProductImage({ src, alt, className = '' }: { src: string | null | undefined; alt: string; className?: string }) {
  if (!src) {
    return (
      <span className={`product-image product-image--empty ${className}`} role="img" aria-label={alt}>
        <BoxIcon />
      </span>
    );
  }
  return <img className={`product-image ${className}`} src={src} alt={alt} loading="lazy" />;
}
