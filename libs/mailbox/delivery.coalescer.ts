import type { WriteBudget } from './write.budget.js';

/** Owners that get the same members (oldest first): DELIVER calls' worth, cut into calls by the sender. */
export interface DeliveryGroup {
  members: string[];
  owners: string[];
}

/** One post's delivery to many owners, waiting its turn. */
interface Delivery {
  owners: string[];
  member: string;
  cap: number;
  done: (pushed: number) => void;
  fail: (error: unknown) => void;
}

/**
 * Deliveries merged by owner: each owner gets every member any of them brings it (once, oldest first, as DELIVER
 * pushes them), and owners getting the same members form one group (in no particular order).
 */
export function mergeDeliveries(deliveries: readonly { owners: readonly string[]; member: string }[]): DeliveryGroup[] {
  // Deliveries taken in member order (members order as their post ids: zero-padded), so appending to an owner's string
  // keeps its members oldest first, a repeat comes right after its twin, and that string is the owner's group key:
  // no array and no sort per owner (the backlog drain merges ~10 deliveries of ~1,000 owners a batch).
  const ordered = [...deliveries].sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
  const byOwner = new Map<string, string>();
  for (const { owners, member } of ordered) {
    for (const owner of owners) {
      const key = byOwner.get(owner);
      if (key === undefined) byOwner.set(owner, member);
      else if (!endsWithMember(key, member)) byOwner.set(owner, `${key} ${member}`);
    }
  }
  const groups = new Map<string, DeliveryGroup>();
  for (const [owner, key] of byOwner) {
    const group = groups.get(key);
    if (group) group.owners.push(owner);
    else groups.set(key, { members: key.split(' '), owners: [owner] });
  }
  return [...groups.values()];
}

/** Whether the last member in a space-separated key is `member`. */
function endsWithMember(key: string, member: string): boolean {
  const at = key.length - member.length;
  return at >= 0 && key.endsWith(member) && (at === 0 || key[at - 1] === ' ');
}

/**
 * Single posts' deliveries that queue while Redis is busy go out together: an owner that several of them reach is
 * written once, with all of their members in one RPUSHX (the bench's backlog: eight posts of well-followed authors
 * reach each owner 2.3 times). Most of a mailbox write's cost in Redis is finding the list and its head, not the
 * member (on a private Redis one DELIVER of 4 members an owner cost 2.5 µs a member against 3.3 for one), so that is
 * Redis time saved exactly when Redis is what the fan-out waits for. A delivery that finds the budget free goes out at
 * once: merging never delays one. A batch holds deliveries of one cap and at most `maxWrites` writes.
 */
export class DeliveryCoalescer {
  private readonly queue: Delivery[] = [];
  private pumping = false;

  constructor(
    private readonly budget: WriteBudget,
    private readonly maxWrites: number,
    /** Sends the groups; resolves to the owners it skipped (no mailbox), rejects when any write failed. */
    private readonly send: (groups: DeliveryGroup[], cap: number) => Promise<Set<string>>,
  ) {}

  /** Delivers `member` to the owners; resolves to how many owners got it (those with a mailbox). */
  deliver(owners: string[], member: string, cap: number): Promise<number> {
    return new Promise((done, fail) => {
      this.queue.push({ owners, member, cap, done, fail });
      void this.pump();
    });
  }

  /**
   * One batch at a time waits for the budget, for its oldest delivery's writes; once that fits, the batch takes along
   * what queued behind it meanwhile (up to maxWrites in all, so the budget is exceeded by less than that).
   */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0]!.owners.length;
        await this.budget.acquire(head);
        const batch = this.take();
        const writes = batch.reduce((sum, d) => sum + d.owners.length, 0);
        this.budget.charge(writes - head);
        void this.sendBatch(batch).finally(() => this.budget.release(writes));
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The oldest delivery and those after it of the same cap, up to maxWrites (at least one). */
  private take(): Delivery[] {
    const cap = this.queue[0]!.cap;
    const batch: Delivery[] = [];
    let writes = 0;
    for (let i = 0; i < this.queue.length;) {
      const delivery = this.queue[i]!;
      if (delivery.cap !== cap) {
        i += 1;
        continue;
      }
      if (batch.length > 0 && writes + delivery.owners.length > this.maxWrites) break;
      batch.push(delivery);
      writes += delivery.owners.length;
      this.queue.splice(i, 1);
    }
    return batch;
  }

  private async sendBatch(batch: Delivery[]): Promise<void> {
    try {
      const skipped = await this.send(mergeDeliveries(batch), batch[0]!.cap);
      for (const d of batch)
        d.done(skipped.size === 0 ? d.owners.length : d.owners.filter((o) => !skipped.has(o)).length);
    } catch (error) {
      for (const d of batch) d.fail(error);
    }
  }
}
