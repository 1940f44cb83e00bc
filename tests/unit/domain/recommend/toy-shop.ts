/**
 * A toy shop in the shape of Online Retail purchases, small enough to compute by hand:
 * mugs go with teapots (three UK customers bought both), bags with purses (two French
 * customers), and a few customers bought one half of a pair.
 */
import type { Interaction } from '../../../../functions/domain/recommend/recommender.ts';

export const day = (d: number) => new Date(Date.UTC(2011, 0, 1) + d * 86_400_000).toISOString();

const buy = (userId: string, itemId: string, d: number, country: string, quantity = 1): Interaction => ({ userId, itemId, timestamp: day(d), quantity, country });

export const TOY_SHOP: Interaction[] = [
  ...['u1', 'u2', 'u3'].flatMap((u) => [buy(u, 'MUG', 1, 'United Kingdom'), buy(u, 'TEAPOT', 2, 'United Kingdom')]),
  ...['u4', 'u5'].flatMap((u) => [buy(u, 'BAG', 3, 'France'), buy(u, 'PURSE', 4, 'France')]),
  buy('u6', 'MUG', 5, 'United Kingdom'),
  buy('u7', 'BAG', 5, 'France'),
  buy('u7', 'BAG', 6, 'France'),
];
