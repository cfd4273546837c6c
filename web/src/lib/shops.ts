import { useState } from 'react';
import { useOutletContext } from 'react-router';
import type { Shop } from '../api';
import { useMe } from './session';

const STORAGE_KEY = 'loopshop.shop';

/**
 * The shop the seller center works on: the one last chosen on this device when the user is
 * still a member, else their first. Null for a user without shops.
 */
export function useShopChoice(): { shop: Shop | null; shops: Shop[]; choose: (id: string) => void } {
  const { data: me } = useMe();
  const [chosen, setChosen] = useState<string | null>(() => {
    try {
      return localStorage.getItem(STORAGE_KEY);
    } catch {
      return null;
    }
  });
  const shops = me?.shops ?? [];
  const shop = shops.find((s) => s.id === chosen) ?? shops[0] ?? null;
  return {
    shop,
    shops,
    choose: (id) => {
      setChosen(id);
      try {
        localStorage.setItem(STORAGE_KEY, id);
      } catch {
        // Storage blocked: the choice lasts for this page only.
      }
    },
  };
}

export interface SellerContext {
  shop: Shop;
}

/** Inside the seller center's sections: the shop being worked on. */
export function useSellerShop(): Shop {
  return useOutletContext<SellerContext>().shop;
}
