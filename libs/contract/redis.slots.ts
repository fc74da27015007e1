// Redis Cluster's key → slot mapping, computed exactly as Redis does (CRC16-XMODEM of the key, or of its hash tag: the
// part between the first '{' and the next '}' when that part is not empty), modulo 16384. The product groups work on
// many keys by slot with it, and the tests check with it that no command or script ever spans two slots.

export const SLOT_COUNT = 16384;

const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc;
}

/** The part of a key Redis hashes: its hash tag if it has a non-empty one, else the whole key. */
export function hashedPart(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  return close === -1 || close === open + 1 ? key : key.slice(open + 1, close);
}

export function slotOf(key: string | Buffer): number {
  const text = typeof key === 'string' ? key : key.toString('latin1');
  return crc16(Buffer.from(hashedPart(text), typeof key === 'string' ? 'utf8' : 'latin1')) % SLOT_COUNT;
}

/**
 * Items grouped by the hash tag (the hashed part) of their key, in first-seen order: each group lies in one slot, and
 * its keys differ only after the tag, so one command or script serves the group. (Two tags may share a slot; they are
 * two groups then, which is only a second call.)
 */
export function groupByHashTag<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const tag = hashedPart(keyOf(item));
    const group = groups.get(tag);
    if (group) group.push(item);
    else groups.set(tag, [item]);
  }
  return [...groups.values()];
}
