/**
 * The local platform's containers per function (local/function-host.ts FreeList): an
 * invocation takes a free container or waits for one, first come first served.
 */
import { describe, expect, it } from 'vitest';
import { FreeList } from '../../../local/function-host.ts';

const settled = async <T>(p: Promise<T>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('FreeList', () => {
  it('hands out every free container at once, then makes invocations wait, in arrival order', async () => {
    const free = new FreeList(['a', 'b']);
    expect(await free.acquire()).toBe('a');
    expect(await free.acquire()).toBe('b');
    const third = free.acquire();
    const fourth = free.acquire();
    expect(await settled(third)).toBe(false);
    free.release('b');
    expect(await third).toBe('b');
    expect(await settled(fourth)).toBe(false);
    free.release('a');
    expect(await fourth).toBe('a');
  });

  it('with one container runs invocations one after another', async () => {
    const free = new FreeList(['only']);
    const order: number[] = [];
    const run = async (n: number) => {
      const c = await free.acquire();
      order.push(n);
      await new Promise((r) => setImmediate(r));
      order.push(-n);
      free.release(c);
    };
    await Promise.all([run(1), run(2), run(3)]);
    expect(order).toEqual([1, -1, 2, -2, 3, -3]);
  });
});
