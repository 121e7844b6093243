import type { Faker } from '@faker-js/faker';
import type { EventTemplate } from './types.js';

/** A v4-shaped UUID drawn from faker's own generator (so a fixed start repeats it): 4 draws instead of faker's 32. */
function drawnUuid(faker: Faker): string {
  const hex = Array.from({ length: 4 }, () => faker.number.int({ max: 0xffffffff }).toString(16).padStart(8, '0')).join('');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface Product {
  sku: string;
  name: string;
  unitPrice: number;
}

/**
 * An order event (`OrderCreated`: order id, customer id, date, total), with line items
 * and a version, so a business key such as `{orderId}#{version}` identifies it. Products
 * come from a catalog and customers from a pool, as in a shop: the same SKU always has
 * the same name and price, and customers order more than once (so `--group-by
 * customerId` makes real FIFO groups). Building those once also keeps generation cheap.
 */
export const orderTemplate: EventTemplate = {
  name: 'order',
  version: 1,
  schema: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'OrderCreated v1 (sqsops order template)',
    type: 'object',
    required: ['eventType', 'eventId', 'orderId', 'customerId', 'createdAt', 'currency', 'items', 'total', 'version'],
    properties: {
      eventType: { const: 'OrderCreated' },
      eventId: { type: 'string' },
      orderId: { type: 'string', minLength: 1 },
      customerId: { type: 'string' },
      createdAt: { type: 'string' },
      currency: { type: 'string', minLength: 3, maxLength: 3 },
      items: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['sku', 'quantity', 'unitPrice'],
          properties: {
            sku: { type: 'string' },
            name: { type: 'string' },
            quantity: { type: 'integer', minimum: 1 },
            unitPrice: { type: 'number' },
          },
        },
      },
      total: { type: 'number' },
      version: { type: 'integer' },
    },
  },
  description: 'OrderCreated events: orderId, customerId, createdAt, currency, items, total, version',
  keyField: 'orderId',
  create(faker: Faker) {
    const catalog: Product[] = Array.from({ length: 250 }, () => ({
      sku: faker.string.alphanumeric({ length: 8, casing: 'upper' }),
      name: faker.commerce.productName(),
      unitPrice: Number(faker.commerce.price({ min: 2, max: 250, dec: 2 })),
    }));
    const customers = Array.from({ length: 500 }, () => drawnUuid(faker));
    const start = Date.UTC(2026, 0, 1);
    return (seq: number) => {
      const items = Array.from({ length: faker.number.int({ min: 1, max: 4 }) }, () => {
        const p = catalog[faker.number.int({ max: catalog.length - 1 })]!;
        return { sku: p.sku, name: p.name, quantity: faker.number.int({ min: 1, max: 5 }), unitPrice: p.unitPrice };
      });
      const total = Math.round(items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0) * 100) / 100;
      return {
        eventType: 'OrderCreated',
        eventId: drawnUuid(faker),
        orderId: drawnUuid(faker),
        customerId: customers[faker.number.int({ max: customers.length - 1 })]!,
        // Spread over time like real traffic: about one order per second of the day, jittered.
        createdAt: new Date(start + seq * 1000 + faker.number.int({ max: 999 })).toISOString(),
        currency: faker.helpers.arrayElement(['EUR', 'USD', 'GBP']),
        items,
        total,
        version: 1,
      };
    };
  },
};
