import type { Faker } from '@faker-js/faker';
import type { EventTemplate } from './index.js';

/**
 * An order event shaped like the seed's `PedidoCreado(PedidoId, ClienteId, Fecha, Total)`,
 * in English names and with line items and a version, so a business key such as
 * `{orderId}#{version}` (the seed's `pedidoId#eventoVersion`) identifies it.
 */
export const orderTemplate: EventTemplate = {
  name: 'order',
  description: 'OrderCreated events: orderId, customerId, createdAt, currency, items, total, version',
  keyField: 'orderId',
  generate(faker: Faker, seq: number) {
    const items = Array.from({ length: faker.number.int({ min: 1, max: 4 }) }, () => {
      const quantity = faker.number.int({ min: 1, max: 5 });
      const unitPrice = Number(faker.commerce.price({ min: 2, max: 250, dec: 2 }));
      return { sku: faker.string.alphanumeric({ length: 8, casing: 'upper' }), name: faker.commerce.productName(), quantity, unitPrice };
    });
    const total = Math.round(items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0) * 100) / 100;
    return {
      eventType: 'OrderCreated',
      eventId: faker.string.uuid(),
      orderId: faker.string.uuid(),
      customerId: faker.string.uuid(),
      createdAt: faker.date.recent({ days: 7, refDate: Date.UTC(2026, 0, 1) + seq * 1000 }).toISOString(),
      currency: faker.helpers.arrayElement(['EUR', 'USD', 'GBP']),
      items,
      total,
      version: 1,
    };
  },
};
