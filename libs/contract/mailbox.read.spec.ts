import { describe, expect, it } from 'vitest';
import { memberOf } from './mailbox.entry.js';
import { decodeMailboxRead } from './mailbox.read.js';

const m = (id: number, author = '7') => memberOf({ postId: String(id), authorId: author });
const ids = (read: ReturnType<typeof decodeMailboxRead>) =>
  read.valid ? read.entries.map((e) => Number(e.postId)) : null;

describe('decodeMailboxRead', () => {
  it('says a mailbox of another epoch or being rebuilt is not valid', () => {
    expect(decodeMailboxRead(['invalid', 0, 0], null, 20)).toEqual({ valid: false, limited: false, requests: null });
  });

  it('merges the recent deliveries into the sorted part, newest first, without duplicates', () => {
    const read = decodeMailboxRead(['0', '', [m(50), m(40), m(30), m(45), m(60), m(50)], ['9'], [], 0, 0], null, 10);
    expect(ids(read)).toEqual([60, 50, 45, 40, 30]);
    expect(read).toMatchObject({ exhausted: true, bound: '0', pullFollowees: ['9'] });
  });

  it('bounds a full page by its last sorted entry, and leaves recent deliveries below it to the next page', () => {
    const read = decodeMailboxRead(['0', m(40), [m(50), m(40), m(35), m(45)], [], [], 0, 0], null, 2);
    // The sorted part filled the page down to 40: 45 makes it, 35 waits for the page below 40.
    expect(ids(read)).toEqual([50, 45]);
    expect(read).toMatchObject({ exhausted: false, bound: '45' });
  });

  it('drops what is at or above `before` and below the floor', () => {
    const read = decodeMailboxRead(['20', '', [m(30), m(20), m(70), m(10), m(25)], [], [], 0, 0], '40', 10);
    expect(ids(read)).toEqual([30, 25, 20]);
    expect(read).toMatchObject({ exhausted: true, bound: '20', floor: '20' });
  });

  // Found by the delivery races: a backfill had raised the floor to 52 over 51, left in the sorted part. The reader
  // at the floor must learn the mailbox has nothing more there, not get the floor back as the next bound.
  it('counts the mailbox as run out at its floor when what is left of the sorted part lies below it', () => {
    const read = decodeMailboxRead(['52', m(51, '3470'), [m(51, '3470')], [], [], 0, 0], '52', 1);
    expect(ids(read)).toEqual([]);
    expect(read).toMatchObject({ exhausted: true, bound: '52' });
    const above = decodeMailboxRead(['52', m(51), [m(56), m(55), m(51)], [], [], 0, 0], '57', 3);
    expect(ids(above)).toEqual([56, 55]);
    expect(above).toMatchObject({ exhausted: true, bound: '52' });
  });

  // The read drops members of authors the owner does not follow (READ's filter): the page is still complete down to the
  // want-th member of the sorted part, the edge, and the next page starts there.
  it('bounds a page by its edge when the following set filtered members out of it', () => {
    const read = decodeMailboxRead(['0', m(30), [m(50), m(30)], [], [], 0, 0], null, 3);
    expect(ids(read)).toEqual([50, 30]);
    expect(read).toMatchObject({ exhausted: false, bound: '30' });
  });

  it('gives the request count a read took, and says when it was over the limit', () => {
    const counted = decodeMailboxRead(['0', '', [m(50)], [], [], 3, 640], null, 5);
    expect(ids(counted)).toEqual([50]);
    expect(counted.requests).toEqual({ count: 3, msLeft: 640 });
    expect(decodeMailboxRead(['limited', 51, 120], null, 5)).toEqual({
      valid: false,
      limited: true,
      requests: { count: 51, msLeft: 120 },
    });
    expect(decodeMailboxRead(['invalid', 1, 1000], null, 5)).toMatchObject({ valid: false, limited: false });
  });

  it("gives the versions READ read, the owner's first, aligned with the followed pull-mode authors", () => {
    const read = decodeMailboxRead(['0', '', [], ['9', '8'], [null, '3:1', null], 0, 0], null, 5);
    expect(read).toMatchObject({ pullFollowees: ['9', '8'], versions: [null, '3:1', null] });
  });

  it('decodes zero-padded members back to plain ids', () => {
    const read = decodeMailboxRead(['0', '', [m(374226800148481, '42')], [], [], 0, 0], null, 5);
    expect(read.valid && read.entries).toEqual([{ postId: '374226800148481', authorId: '42' }]);
  });
});
