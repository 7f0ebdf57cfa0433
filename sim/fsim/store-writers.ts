// Which STORE last wrote each DRAM byte, for mismatch reports. Kept per 64 KiB page, allocated when a
// STORE first touches the page, so tracking a 2 GiB DRAM costs memory only where the program stores.

const PAGE_BITS = 16;
const PAGE = 1 << PAGE_BITS;

export class StoreWriters {
  private readonly pages = new Map<number, Int32Array>();

  /** Records that instruction `index` wrote bytes [start, end). */
  fill(index: number, start: number, end: number): void {
    for (let at = start; at < end;) {
      const p = at >>> PAGE_BITS;
      let page = this.pages.get(p);
      if (!page) {
        page = new Int32Array(PAGE).fill(-1);
        this.pages.set(p, page);
      }
      const stop = Math.min(end, (p + 1) * PAGE);
      page.fill(index, at - p * PAGE, stop - p * PAGE);
      at = stop;
    }
  }

  /** The STORE that last wrote `addr`, or -1. */
  get(addr: number): number {
    const page = this.pages.get(Math.floor(addr / PAGE));
    return page ? page[addr % PAGE] : -1;
  }
}
