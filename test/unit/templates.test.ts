import { describe, expect, it } from 'vitest';
import { Faker, en } from '@faker-js/faker';
import { TEMPLATES, POISON_KINDS, poisonBody } from '../../src/core/templates/index.js';
import { compileKey } from '../../src/core/keys.js';

const order = TEMPLATES.order!;

function events(seed: number, n: number) {
  const faker = new Faker({ locale: [en] });
  faker.seed(seed);
  const generate = order.create(faker);
  return Array.from({ length: n }, (_, i) => generate(i));
}

describe('the order template', () => {
  it('is reproducible from a seed and differs across seeds', () => {
    expect(events(7, 3)).toEqual(events(7, 3));
    expect(events(7, 3)).not.toEqual(events(8, 3));
  });

  it('makes events whose total is the sum of their items', () => {
    for (const e of events(1, 20)) {
      const items = e.items as { quantity: number; unitPrice: number }[];
      expect(items.length).toBeGreaterThan(0);
      expect(e.total).toBeCloseTo(
        items.reduce((s, i) => s + i.quantity * i.unitPrice, 0),
        2,
      );
      expect(e).toMatchObject({ eventType: 'OrderCreated', version: 1 });
      expect(e.orderId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('draws products from a catalog and customers from a pool, so both repeat', () => {
    const all = events(5, 600);
    const bySku = new Map<string, string>();
    for (const e of all)
      for (const i of e.items as { sku: string; name: string }[]) {
        expect(bySku.get(i.sku) ?? i.name).toBe(i.name);
        bySku.set(i.sku, i.name);
      }
    const customers = new Set(all.map((e) => e.customerId));
    expect(customers.size).toBeLessThan(600);
    expect(customers.size).toBeGreaterThan(100);
    expect(new Set(all.map((e) => e.orderId)).size).toBe(600);
  });
});

describe('poison bodies', () => {
  it.each(POISON_KINDS)('%s cannot pass as a valid order with a key', (kind) => {
    const [valid] = events(3, 1);
    const body = poisonBody(kind, valid!, 'orderId');
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = JSON.parse(body) as Record<string, unknown>;
    } catch {
      parsed = undefined;
    }
    const keyed = parsed && compileKey('orderId')({ messageId: 'm', body: parsed }).ok;
    const typed = parsed && typeof parsed.total === 'number' && Array.isArray(parsed.items);
    expect(Boolean(keyed && typed)).toBe(false);
  });
});

describe('the template schemas', () => {
  it('pass every generated event and fail every poison kind that parses', async () => {
    const { buildValidator } = await import('../../src/pipeline/schema.js');
    const { TEMPLATE_ATTRIBUTE, templateMark } = await import('../../src/core/templates/index.js');
    const { validate } = await buildValidator({ kind: 'templates' });
    const marked = { [TEMPLATE_ATTRIBUTE]: templateMark(order) };
    for (const e of events(4, 30)) expect(validate!(e, marked)).toBeUndefined();
    const valid = events(5, 1)[0]!;
    for (const kind of ['missing-key', 'wrong-type'] as const) {
      expect(validate!(JSON.parse(poisonBody(kind, valid, 'orderId')), marked), kind).toMatch(/^order@1: /);
    }
    // Unmarked messages, and marks of a version this build does not ship, are not checked.
    expect(validate!({ total: 'x' }, {})).toBeUndefined();
    expect(validate!({ total: 'x' }, { [TEMPLATE_ATTRIBUTE]: 'order@99' })).toBeUndefined();
  });
});
