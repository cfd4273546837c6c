/**
 * A generated Shopify export for tests and the import benchmark: `products` products with four
 * size variants each (so 4 rows a product), an HTML body over two lines and one image.
 */
export function bigExport(products: number): Buffer {
  const lines = ['Handle,Title,Body (HTML),Type,Option1 Name,Option1 Value,Variant SKU,Variant Inventory Qty,Variant Price,Image Src,Image Position'];
  for (let p = 0; p < products; p++) {
    ['S', 'M', 'L', 'XL'].forEach((size, i) => {
      const first = i === 0;
      lines.push(
        [
          `product-${p}`,
          first ? `Product ${p}` : '',
          first ? `"<p>Line one, with a comma</p>\r\n<p>Line two of ${p}</p>"` : '',
          first ? 'Shirts' : '',
          first ? 'Size' : '',
          size,
          `P${p}-${size}`,
          String(i + 1),
          `${10 + (p % 90)}.${String(p % 100).padStart(2, '0')}`,
          first ? `https://cdn.example.com/${p}.jpg` : '',
          first ? '1' : '',
        ].join(','),
      );
    });
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`);
}
