/**
 * Deterministic demo data: the same counts always give the same products, customers and
 * order shapes, so `oms seed` can tell what already exists and never duplicates.
 */
export interface SeedProduct {
  sku: string;
  description: string;
  price: number;
  productType: string;
  length: number;
  width: number;
  height: number;
  weight: number;
  unitMeasurement: string;
  hierarchies: Array<{ hierarchyName: string; hierarchyDescription: string }>;
}

export interface SeedCustomer {
  name: string;
  lastName: string;
  email: string;
  identityDocument: string;
  active: boolean;
  addresses: Array<{
    streetType: 'STREET' | 'LANE' | 'BOULEVARD' | 'AVENUE' | 'COURT';
    streetName: string;
    streetNumber: string;
    buildingNumber: string;
    departmentNumber: string;
    reference: string;
    latitude: number;
    longitude: number;
  }>;
}

export interface SeedOrderShape {
  /** Index into the customers list. */
  customer: number;
  items: Array<{ product: number; quantity: number; address: number }>;
}

const ADJECTIVES = ['Compact', 'Wireless', 'Ergonomic', 'Organic', 'Stainless', 'Recycled', 'Portable', 'Smart', 'Vintage', 'Heavy-duty'];
const NOUNS = ['kettle', 'headphones', 'desk lamp', 'backpack', 'coffee grinder', 'yoga mat', 'water bottle', 'keyboard', 'blender', 'notebook', 'chair', 'umbrella'];
const FAMILIES = [
  { hierarchyName: 'home', hierarchyDescription: 'Home and kitchen' },
  { hierarchyName: 'electronics', hierarchyDescription: 'Electronics and gadgets' },
  { hierarchyName: 'outdoor', hierarchyDescription: 'Outdoor and sports' },
  { hierarchyName: 'office', hierarchyDescription: 'Office supplies' },
];
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Linus', 'Frances', 'Ken', 'Radia', 'Dennis'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Torvalds', 'Allen', 'Thompson', 'Perlman', 'Ritchie'];
const STREET_TYPES = ['STREET', 'LANE', 'BOULEVARD', 'AVENUE', 'COURT'] as const;
const STREETS = ['Maple', 'Oak', 'Harbour', 'Station', 'Mill', 'Church', 'Park', 'Victoria'];

/** A small deterministic PRNG (mulberry32) so data is varied but reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedProducts(count: number): SeedProduct[] {
  const r = rng(1);
  return Array.from({ length: count }, (_, i) => {
    const family = FAMILIES[i % FAMILIES.length]!;
    const name = `${ADJECTIVES[i % ADJECTIVES.length]!} ${NOUNS[Math.floor(i / ADJECTIVES.length) % NOUNS.length]!}`;
    return {
      sku: `SKU-${String(i + 1).padStart(5, '0')}`,
      description: `${name} (${family.hierarchyDescription.toLowerCase()})`,
      price: Math.round((5 + r() * 195) * 100) / 100,
      productType: family.hierarchyName.toUpperCase(),
      length: Math.round(r() * 500) / 10,
      width: Math.round(r() * 500) / 10,
      height: Math.round(r() * 500) / 10,
      weight: Math.round(r() * 100) / 10,
      unitMeasurement: 'CM',
      hierarchies: [family],
    };
  });
}

export function seedCustomers(count: number): SeedCustomer[] {
  const r = rng(2);
  return Array.from({ length: count }, (_, i) => {
    const name = FIRST[i % FIRST.length]!;
    const lastName = LAST[Math.floor(i / FIRST.length + i) % LAST.length]!;
    const n = String(i + 1).padStart(4, '0');
    return {
      name,
      lastName,
      email: `seed-${n}@oms.example`,
      identityDocument: `ID-${n}`,
      active: true,
      addresses: Array.from({ length: 1 + (i % 2) }, (_, a) => ({
        streetType: STREET_TYPES[(i + a) % STREET_TYPES.length]!,
        streetName: `${STREETS[(i * 3 + a) % STREETS.length]!} ${STREET_TYPES[(i + a) % STREET_TYPES.length]!.toLowerCase()}`,
        streetNumber: String(1 + Math.floor(r() * 200)),
        buildingNumber: String(1 + (i % 9)),
        departmentNumber: String(100 + a),
        reference: a === 0 ? 'home' : 'office',
        latitude: Math.round((51.4 + r() * 0.2) * 1e6) / 1e6,
        longitude: Math.round((-0.2 + r() * 0.2) * 1e6) / 1e6,
      })),
    };
  });
}

/** Order i belongs to customer i mod customers, so each customer's expected order count is known. */
export function seedOrderShapes(count: number, customers: SeedCustomer[], products: number): SeedOrderShape[] {
  if (customers.length === 0 || products === 0) return [];
  const r = rng(3);
  return Array.from({ length: count }, (_, i) => {
    const customer = i % customers.length;
    const lines = 1 + Math.floor(r() * 3);
    const chosen = new Set<number>();
    while (chosen.size < Math.min(lines, products)) chosen.add(Math.floor(r() * products));
    return {
      customer,
      items: [...chosen].map((product) => ({ product, quantity: 1 + Math.floor(r() * 4), address: Math.floor(r() * customers[customer]!.addresses.length) })),
    };
  });
}

/**
 * What each product has available once the seed's own orders are placed: a fixed cycle by the
 * SKU's index, from plenty to nearly sold out (SKU-00004 keeps 12), so a demo can run a SKU out.
 */
export const SEED_STOCK_LEVELS: readonly number[] = [120, 60, 250, 12, 500, 35];

/**
 * The count on hand the seed gives each of `products` products: its level plus what the seed's
 * `orders` take of it, so the seed's orders always fit and leave the level available.
 * Deterministic: the same counts give the same stock.
 */
export function seedStock(products: number, orders: readonly SeedOrderShape[]): number[] {
  const demand = new Array<number>(products).fill(0);
  for (const order of orders) for (const item of order.items) demand[item.product] = (demand[item.product] ?? 0) + item.quantity;
  return demand.map((taken, i) => SEED_STOCK_LEVELS[i % SEED_STOCK_LEVELS.length]! + taken);
}
