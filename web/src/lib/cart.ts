import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { commerce, type Cart, type CartSource } from './commerce';
import { useMe } from './session';
import { keys } from '../api/keys';

export const CART_KEY = keys.cart();

/** The signed-in user's cart (shared by the badge, the cart page and checkout). */
export function useCart() {
  const { data: me } = useMe();
  return useQuery({ queryKey: CART_KEY, queryFn: commerce.cart, enabled: !!me, staleTime: 10_000 });
}

/** Units in the cart, for the badge. */
export function cartCount(cart: Cart | undefined): number {
  return cart?.shops.reduce((n, s) => n + s.items.reduce((m, i) => m + i.quantity, 0), 0) ?? 0;
}

export function useAddToCart() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { sku_id: string; quantity: number; source?: CartSource }) => commerce.addToCart(input),
    onSettled: () => qc.invalidateQueries({ queryKey: CART_KEY }),
  });
}

export function useUpdateCartItem() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, quantity }: { id: string; quantity: number }) => commerce.updateCartItem(id, quantity),
    onSettled: () => qc.invalidateQueries({ queryKey: CART_KEY }),
  });
}

export function useRemoveCartItem() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => commerce.removeCartItem(id),
    onSettled: () => qc.invalidateQueries({ queryKey: CART_KEY }),
  });
}
