import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { AppShell, RequireRole } from './components/AppShell';
import { AfterSalesCase } from './pages/AfterSalesCase';
import { Apply } from './pages/Apply';
import { Cart } from './pages/Cart';
import { Checkout } from './pages/Checkout';
import { CreatorCenter } from './pages/CreatorCenter';
import { Feed } from './pages/Feed';
import { CreatorLive } from './pages/live/CreatorLive';
import { LiveList } from './pages/live/LiveList';
import { LiveRoom } from './pages/live/LiveRoom';
import { NotFound } from './pages/NotFound';
import { OperatorConsole } from './pages/OperatorConsole';
import { OrderDetail } from './pages/OrderDetail';
import { Orders } from './pages/Orders';
import { SellerCenter } from './pages/SellerCenter';
import { ProductEditor } from './pages/seller/ProductEditor';
import { SellerAfterSales } from './pages/seller/SellerAfterSales';
import { SellerFinance } from './pages/seller/SellerFinance';
import { SellerInbound } from './pages/seller/SellerInbound';
import { SellerOrders } from './pages/seller/SellerOrders';
import { SellerOverview } from './pages/seller/SellerOverview';
import { SellerProducts } from './pages/seller/SellerProducts';
import { SellerSupplyOffers } from './pages/seller/SellerSupplyOffers';
import { SellerVideos } from './pages/seller/SellerVideos';
import { SignIn } from './pages/SignIn';
import { SignUp } from './pages/SignUp';
import { CreatorPage } from './pages/buyer/CreatorPage';
import { ProductPage } from './pages/buyer/ProductPage';
import { Notifications } from './pages/Notifications';
import { SellerAnchors } from './pages/seller/SellerAnchors';
import { SellerHealth } from './pages/seller/SellerHealth';
import { SellerImport, SellerImports } from './pages/seller/SellerImports';
import { VideoEdit } from './pages/VideoEdit';
import { Loading } from './components/Loading';

/** Analytics pages load with ECharts on first visit, outside the main bundle. */
const SellerAnalytics = lazy(() => import('./pages/seller/SellerAnalytics').then((m) => ({ default: m.SellerAnalytics })));

export function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignIn />} />
      <Route path="/sign-up" element={<SignUp />} />
      <Route element={<AppShell />}>
        <Route index element={<Navigate to="/feed" replace />} />
        <Route path="/feed" element={<Feed />} />
        <Route path="/cart" element={<Cart />} />
        <Route path="/checkout" element={<Checkout />} />
        <Route path="/orders" element={<Orders />} />
        <Route path="/orders/:id" element={<OrderDetail />} />
        <Route path="/apply" element={<Apply />} />
        <Route path="/live" element={<LiveList />} />
        <Route path="/live/:id" element={<LiveRoom />} />
        <Route path="/products/:id" element={<ProductPage />} />
        <Route path="/creators/:id" element={<CreatorPage />} />
        <Route path="/notifications" element={<Notifications />} />
        <Route path="/videos/:id/edit" element={<VideoEdit />} />
        <Route
          path="/seller"
          element={
            <RequireRole role="seller">
              <SellerCenter />
            </RequireRole>
          }
        >
          <Route index element={<SellerOverview />} />
          <Route path="products" element={<SellerProducts />} />
          <Route path="products/new" element={<ProductEditor />} />
          <Route path="products/:productId" element={<ProductEditor />} />
          <Route path="videos" element={<SellerVideos />} />
          <Route path="orders" element={<SellerOrders />} />
          <Route path="orders/:id" element={<OrderDetail seller />} />
          <Route path="after-sales" element={<SellerAfterSales />} />
          <Route path="after-sales/:id" element={<AfterSalesCase role="seller" />} />
          <Route path="finance" element={<SellerFinance />} />
          <Route path="supply-offers" element={<SellerSupplyOffers />} />
          <Route path="inbound" element={<SellerInbound />} />
          <Route path="imports" element={<SellerImports />} />
          <Route path="imports/:importId" element={<SellerImport />} />
          <Route path="anchors" element={<SellerAnchors />} />
          <Route path="health" element={<SellerHealth />} />
          <Route
            path="analytics"
            element={
              <Suspense fallback={<Loading />}>
                <SellerAnalytics />
              </Suspense>
            }
          />
          <Route path="*" element={<NotFound />} />
        </Route>
        <Route
          path="/creator/live"
          element={
            <RequireRole role="creator">
              <CreatorLive />
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
