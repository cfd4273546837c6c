import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db.js';
import { createProduct } from '../modules/catalog/index.js';
import { signUp } from '../modules/identity/index.js';
import { createShop, getShop, requireShopMember } from '../modules/sellers/index.js';
import { stockKeeper } from '../modules/inventory/index.js';

/**
 * Demo catalog for `seed-demo`: the demo seller's "Demo Outdoor Co." plus two more shops with
 * their own sellers, 30 live products with 1–4 variants each, stocked in each shop's default
 * warehouse. Deterministic content (no randomness); images are left to the content module.
 */

const DEMO_PASSWORD = 'loopshop-demo';

interface DemoProduct {
  title: string;
  category: string;
  description: string;
  option?: string;
  /** [option value, price in cents, compare-at price?]; one entry without a value when no option. */
  variants: Array<[string | null, number, number?]>;
}

const OUTDOOR: DemoProduct[] = [
  { title: 'Trail Lantern 300', category: 'camping', description: 'A 300-lumen LED lantern with three brightness modes and a red night-vision light. Runs 40 hours on low from its USB-C battery.', option: 'Color', variants: [['Forest Green', 2499], ['Sunset Orange', 2499]] },
  { title: 'Ultralight 2-Person Tent', category: 'camping', description: 'Freestanding, 1.4 kg packed, with two doors and two vestibules. Pitches in under five minutes.', option: 'Color', variants: [['Sage', 18900, 21900], ['Sand', 18900, 21900]] },
  { title: 'Merino Hiking Socks', category: 'apparel', description: 'Cushioned merino wool blend that keeps feet dry and odour-free on long days.', option: 'Size', variants: [['S', 1899], ['M', 1899], ['L', 1899], ['XL', 1899]] },
  { title: 'Insulated Water Bottle 750 ml', category: 'hydration', description: 'Double-wall stainless steel: cold for 24 hours, hot for 12. Leak-proof lid with carry loop.', option: 'Color', variants: [['Glacier', 2999], ['Charcoal', 2999], ['Moss', 2999]] },
  { title: 'Packable Rain Jacket', category: 'apparel', description: 'Waterproof, breathable 2.5-layer shell that stuffs into its own pocket.', option: 'Size', variants: [['S', 8900], ['M', 8900], ['L', 8900]] },
  { title: 'Camp Cookset, 4 Pieces', category: 'cooking', description: 'Hard-anodised aluminium pot, pan, and two cups that nest around a small gas canister.', variants: [[null, 4599]] },
  { title: 'Carbon Trekking Poles (Pair)', category: 'hiking', description: 'Three-section carbon poles with cork grips and quick flick-locks. 230 g each.', variants: [[null, 6900, 7900]] },
  { title: 'Down Sleeping Bag 0 °C', category: 'camping', description: '650-fill responsibly sourced down in a mummy cut, with a full-length two-way zip.', option: 'Length', variants: [['Regular', 15900], ['Long', 16900]] },
  { title: 'Parachute Hammock with Straps', category: 'camping', description: 'Ripstop nylon hammock that holds 200 kg; tree-friendly straps and steel carabiners included.', option: 'Color', variants: [['Navy', 3999], ['Olive', 3999]] },
  { title: 'Trail Running Cap', category: 'apparel', description: 'Featherweight, quick-drying cap with a soft folding brim and reflective details.', option: 'Color', variants: [['Black', 2200], ['Stone', 2200]] },
];

const LIGHTS: DemoProduct[] = [
  { title: 'Solar String Lights 10 m', category: 'lighting', description: 'Fifty weatherproof LED bulbs charged by the sun; eight lighting modes and an automatic dusk sensor.', option: 'Color', variants: [['Warm White', 1999], ['Multicolor', 1999]] },
  { title: 'USB-C Rechargeable Headlamp', category: 'lighting', description: '1000-lumen headlamp with a motion sensor, red light and a tilting head. Charges in two hours.', variants: [[null, 2499, 2999]] },
  { title: 'LED Desk Lamp with Wireless Charger', category: 'lighting', description: 'Five colour temperatures, stepless dimming and a 10 W Qi charging pad in the base.', option: 'Color', variants: [['White', 3999], ['Black', 3999]] },
  { title: 'Smart RGB Bulb, 2-Pack', category: 'smart-home', description: 'Wi-Fi bulbs with sixteen million colours, schedules and voice-assistant support. No hub needed.', variants: [[null, 2299]] },
  { title: 'Magnetic Work Light', category: 'tools', description: 'COB work light with a magnetic base, a hanging hook and a 180° folding stand.', variants: [[null, 1799]] },
  { title: 'Sunset Projection Lamp', category: 'lighting', description: 'Casts a warm sunset glow across any wall; rotates 180° and runs from USB.', option: 'Color', variants: [['Sunset Red', 2599], ['Rainbow', 2599]] },
  { title: 'Motion Sensor Night Light, 3-Pack', category: 'lighting', description: 'Stick-on lights for stairs, closets and hallways that switch on when you walk by.', variants: [[null, 1499]] },
  { title: 'Neon Sign "Good Vibes"', category: 'decor', description: 'Flexible LED neon on a clear acrylic back, with a dimmer and a 2 m cable.', option: 'Color', variants: [['Pink', 4599], ['Ice Blue', 4599]] },
  { title: 'Camping Lantern Power Bank', category: 'lighting', description: 'A collapsible lantern with a 10 000 mAh battery that charges your phone at camp.', variants: [[null, 3299]] },
  { title: 'LED Strip Lights', category: 'lighting', description: 'App-controlled RGB strip that syncs to music; cut to length and stick anywhere.', option: 'Length', variants: [['5 m', 1599], ['10 m', 2599], ['20 m', 3999]] },
];

const TEA: DemoProduct[] = [
  { title: 'West Lake Longjing Green Tea', category: 'tea', description: 'Pre-Qingming pan-fired Dragon Well from the hills around West Lake: chestnut-sweet and smooth.', option: 'Weight', variants: [['50 g', 1800], ['100 g', 3200], ['250 g', 7200]] },
  { title: 'Tieguanyin Oolong', category: 'tea', description: 'Lightly roasted Anxi oolong with an orchid aroma that opens over many infusions.', option: 'Weight', variants: [['50 g', 1600], ['100 g', 2900]] },
  { title: 'Aged Pu-erh Cake 357 g', category: 'tea', description: 'A ten-year-aged ripe pu-erh cake from Yunnan, earthy and mellow. Wrapped in traditional paper.', variants: [[null, 4800]] },
  { title: 'Jasmine Pearl Green Tea', category: 'tea', description: 'Hand-rolled green tea pearls scented six times with fresh jasmine blossoms.', option: 'Weight', variants: [['50 g', 1900], ['100 g', 3500]] },
  { title: 'Yixing Clay Teapot 200 ml', category: 'teaware', description: 'Handmade zisha clay teapot that seasons with every brew. Ideal for oolong and pu-erh.', variants: [[null, 8900, 9900]] },
  { title: 'Gongfu Tea Set, 8 Pieces', category: 'teaware', description: 'Porcelain gaiwan, fairness pitcher, strainer and five cups for the gongfu way of brewing.', option: 'Glaze', variants: [['Celadon', 6500], ['White', 5900]] },
  { title: 'Bamboo Tea Tray', category: 'teaware', description: 'Slatted bamboo tray with a hidden drainage drawer, 40 × 27 cm.', variants: [[null, 4200]] },
  { title: 'Glass Tea Infuser Bottle', category: 'teaware', description: 'Borosilicate bottle with a stainless infuser that separates leaves from tea at a turn.', option: 'Color', variants: [['Clear', 2400], ['Smoke', 2400]] },
  { title: 'Hangzhou Tea Sampler', category: 'tea', description: 'Six 10 g tins: Longjing, Tieguanyin, Jasmine Pearl, Osmanthus Black, Bai Mu Dan and Pu-erh.', variants: [[null, 2900]] },
  { title: 'Osmanthus Black Tea', category: 'tea', description: 'Malty Keemun-style black tea blended with sweet golden osmanthus flowers.', option: 'Weight', variants: [['50 g', 1500], ['100 g', 2700], ['250 g', 5900], ['500 g', 9900]] },
];

const usd = (amount: number) => ({ amount, currency: 'USD' });

export async function seedDemoCatalog(
  db: Db,
  clock: Clock,
  opts: { sellerId: string; shopId: string },
): Promise<{ shops: Array<{ id: string; name: string }>; productIds: string[] }> {
  await requireShopMember(db, opts.sellerId, opts.shopId);
  const demoShop = await getShop(db, opts.shopId);
  const shops: Array<{ id: string; name: string; products: DemoProduct[] }> = [{ id: demoShop.id, name: demoShop.name, products: OUTDOOR }];
  for (const s of [
    { email: 'seller2@demo.loopshop.dev', owner: 'Lin Wei', name: 'Shenzhen Lights', fee: 399, products: LIGHTS },
    { email: 'seller3@demo.loopshop.dev', owner: 'Chen Yu', name: 'Hangzhou Tea House', fee: 299, products: TEA },
  ]) {
    const user = await signUp(db, clock, { email: s.email, password: DEMO_PASSWORD, name: s.owner });
    const shop = await createShop(db, clock, {
      name: s.name,
      market: 'US',
      currency: 'USD',
      timezone: 'Asia/Shanghai',
      shippingFee: s.fee,
      ownerId: user.id,
    });
    shops.push({ id: shop.id, name: shop.name, products: s.products });
  }
  const productIds: string[] = [];
  let k = 0;
  for (const shop of shops) {
    for (const p of shop.products) {
      const created = await createProduct(db, clock, stockKeeper, shop.id, {
        title: p.title,
        description: p.description,
        category: p.category,
        affiliate_rate_bps: 1000,
        option_names: p.option ? [p.option] : [],
        status: 'live',
        variants: p.variants.map(([value, price, compareAt]) => ({
          option_values: value === null ? [] : [value],
          price: usd(price),
          compare_at_price: compareAt ? usd(compareAt) : null,
          stock: { on_hand: 20 + ((k++ * 47) % 181) },
        })),
      });
      productIds.push(created.id);
    }
  }
  return { shops: shops.map(({ id, name }) => ({ id, name })), productIds };
}
