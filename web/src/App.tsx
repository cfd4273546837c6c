import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { AppShell, RequireRole, RequireSignIn } from './components/AppShell';
import { AfterSalesCase } from './areas/buyer/AfterSalesCase';
import { Apply } from './areas/seller/Apply';
import { Cart } from './areas/buyer/Cart';
import { Checkout } from './areas/buyer/Checkout';
import { CreatorCenter } from './areas/creator/CreatorCenter';
import { Feed } from './areas/buyer/Feed';
import { CreatorLive } from './areas/creator/CreatorLive';
import { LiveList } from './areas/buyer/LiveList';
import { LiveRoom } from './areas/buyer/LiveRoom';
import { NotFound } from './pages/NotFound';
import { OperatorConsole } from './areas/operator/OperatorConsole';
import { OrderDetail } from './areas/buyer/OrderDetail';
import { Orders } from './areas/buyer/Orders';
import { SellerCenter } from './areas/seller/SellerCenter';
import { ProductEditor } from './areas/seller/ProductEditor';
import { SellerAfterSales } from './areas/seller/SellerAfterSales';
import { SellerFinance } from './areas/seller/SellerFinance';
import { SellerInbound } from './areas/seller/SellerInbound';
import { SellerOrders } from './areas/seller/SellerOrders';
import { SellerOverview } from './areas/seller/SellerOverview';
import { SellerProducts } from './areas/seller/SellerProducts';
import { SellerSupplyOffers } from './areas/seller/SellerSupplyOffers';
import { SellerVideos } from './areas/seller/SellerVideos';
import { SignIn } from './pages/SignIn';
import { SignUp } from './pages/SignUp';
import { CreatorPage } from './areas/buyer/CreatorPage';
import { ProductPage } from './areas/buyer/ProductPage';
import { Me } from './pages/Me';
import { Notifications } from './pages/Notifications';
import { SellerAnchors } from './areas/seller/SellerAnchors';
import { SellerHealth } from './areas/seller/SellerHealth';
import { SellerImport, SellerImports } from './areas/seller/SellerImports';
import { VideoEdit } from './areas/creator/VideoEdit';
import { Loading } from './components/Loading';

/** Analytics pages load with ECharts on first visit, outside the main bundle. */
const SellerAnalytics = lazy(() => import('./areas/seller/SellerAnalytics').then((m) => ({ default: m.SellerAnalytics })));

export function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignIn />} />
      <Route path="/sign-up" element={<SignUp />} />
      <Route element={<AppShell />}>
        <Route index element={<Navigate to="/feed" replace />} />
        {/* Anyone can watch: signed out too. */}
        <Route path="/feed" element={<Feed />} />
        <Route path="/live" element={<LiveList />} />
        <Route path="/live/:id" element={<LiveRoom />} />
        <Route path="/products/:id" element={<ProductPage />} />
        <Route path="/creators/:id" element={<CreatorPage />} />
        <Route element={<RequireSignIn />}>
          <Route path="/cart" element={<Cart />} />
          <Route path="/checkout" element={<Checkout />} />
          <Route path="/orders" element={<Orders />} />
          <Route path="/orders/:id" element={<OrderDetail />} />
          <Route path="/apply" element={<Apply />} />
          <Route path="/notifications" element={<Notifications />} />
          <Route path="/videos/:id/edit" element={<VideoEdit />} />
          <Route path="/me" element={<Me />} />
        </Route>
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
