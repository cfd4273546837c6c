import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Me, type Role } from '../api';
import { applyAccountLocale, storedLanguageChoice } from './language';
import { keys } from '../api/keys';

export const ME_KEY = keys.me();

/** The signed-in account (null when signed out). */
export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: api.me, staleTime: 30_000, retry: false });
}

export function hasRole(me: Me | null | undefined, role: Role): boolean {
  return !!me?.roles.includes(role);
}

export function useSignIn() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.signIn,
    onSuccess: async ({ user }) => {
      await applyAccountLocale(user.locale);
      await qc.invalidateQueries({ queryKey: ME_KEY });
    },
  });
}

export function useSignUp() {
  const qc = useQueryClient();
  return useMutation({
    // A language the user picked on this device becomes the account's; otherwise the account
    // keeps following the browser.
    mutationFn: (input: { email: string; password: string; name: string }) => {
      const locale = storedLanguageChoice();
      return api.signUp(locale ? { ...input, locale } : input);
    },
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ME_KEY });
    },
  });
}

export function useSignOut() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.signOut,
    onSuccess: () => {
      qc.removeQueries();
      qc.setQueryData(ME_KEY, null);
    },
  });
}
