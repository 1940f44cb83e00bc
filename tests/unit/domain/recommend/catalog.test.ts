import { describe, expect, it } from 'vitest';
import { CatalogBuilder, catalogIndex, InvalidCatalogError, parseCatalog, personalizeItemsCsv } from '../../../../functions/domain/recommend/catalog.ts';

describe('catalog', () => {
  it('names an item by its most frequent description and prices it at the median line price', () => {
    // Prepare
    const b = new CatalogBuilder();
    for (const [name, price] of [['WHITE HANGING HEART', 2.55], ['WHITE HANGING HEART T-LIGHT', 2.95], ['WHITE HANGING HEART', 3.2]] as const) b.add({ itemId: '85123A', name, price, category: 'lighting' });
    b.add({ itemId: '22423', name: 'REGENCY CAKESTAND, 3 TIER' });
    b.add({ itemId: ' ', name: 'no id' });
    // Act
    const catalog = b.build(new Date('2011-12-09T00:00:00Z'));
    // Assess
    expect(b.lines).toBe(4);
    expect(catalog.items).toEqual([
      { itemId: '22423', name: 'REGENCY CAKESTAND, 3 TIER' },
      { itemId: '85123A', name: 'WHITE HANGING HEART', category: 'lighting', price: 2.95 },
    ]);
    expect(parseCatalog(JSON.stringify(catalog))).toEqual(catalog);
    expect(catalogIndex(catalog).get('85123A')?.price).toBe(2.95);
  });

  it('writes Personalize items CSV with quoted descriptions', () => {
    const b = new CatalogBuilder();
    b.add({ itemId: '22423', name: 'REGENCY CAKESTAND, 3 TIER', price: 12.75, category: 'kitchen' });
    expect(personalizeItemsCsv(b.build(new Date()))).toBe('ITEM_ID,CATEGORY,PRICE,DESCRIPTION\n22423,kitchen,12.75,"REGENCY CAKESTAND, 3 TIER"\n');
  });

  it('refuses a stored catalog of another shape', () => {
    expect(() => parseCatalog('{"schemaVersion":2,"items":[]}')).toThrow(InvalidCatalogError);
  });
});
