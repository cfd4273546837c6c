import { useCallback } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { signInPath } from './returnPath';
import { useMe } from './session';

/**
 * For an action that needs an account (add to cart, buy, follow, review): `true` when signed in;
 * otherwise sends the visitor to sign in, coming back to `returnTo` (default: this page), and
 * answers `false`.
 */
export function useRequireSignIn(): (returnTo?: string) => boolean {
  const me = useMe();
  const navigate = useNavigate();
  const location = useLocation();
  const signedIn = !!me.data;
  return useCallback(
    (returnTo?: string) => {
      if (signedIn) return true;
      void navigate(signInPath(returnTo ?? location.pathname + location.search));
      return false;
    },
    [signedIn, navigate, location.pathname, location.search],
  );
}
