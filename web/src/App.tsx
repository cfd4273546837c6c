import { Navigate, Route, Routes } from 'react-router';
import { AppShell, RequireRole } from './components/AppShell';
import { CreatorCenter } from './pages/CreatorCenter';
import { Feed } from './pages/Feed';
import { NotFound } from './pages/NotFound';
import { OperatorConsole } from './pages/OperatorConsole';
import { SellerCenter } from './pages/SellerCenter';
import { SignIn } from './pages/SignIn';
import { SignUp } from './pages/SignUp';

export function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignIn />} />
      <Route path="/sign-up" element={<SignUp />} />
      <Route element={<AppShell />}>
        <Route index element={<Navigate to="/feed" replace />} />
        <Route path="/feed" element={<Feed />} />
        <Route
          path="/seller/*"
          element={
            <RequireRole role="seller">
              <SellerCenter />
            </RequireRole>
          }
        />
        <Route
          path="/creator/*"
          element={
            <RequireRole role="creator">
              <CreatorCenter />
            </RequireRole>
          }
        />
        <Route
          path="/operator/*"
          element={
            <RequireRole role="operator">
              <OperatorConsole />
            </RequireRole>
          }
        />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
