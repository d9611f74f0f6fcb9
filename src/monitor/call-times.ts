/**
 * Call times, oldest first, that forget the oldest in amortized constant time and count a recent window by binary
 * search: a busy session makes thousands of calls a minute, and neither may cost a pass over all of them per call.
 */
export class CallTimes {
  private times: number[] = [];
  private head = 0;

  get length(): number {
    return this.times.length - this.head;
  }

  push(time: number): void {
    this.times.push(time);
  }

  /** Forgets the times at or before `time`. */
  forgetUntil(time: number): void {
    const times = this.times;
    let head = this.head;
    while (head < times.length && times[head]! <= time) head++;
    // Compact once the forgotten part outweighs the kept one: each time is moved a bounded number of times.
    if (head > 64 && head * 2 > times.length) {
      this.times = times.slice(head);
      head = 0;
    }
    this.head = head;
  }

  /** How many times are later than `time`. */
  countAfter(time: number): number {
    const times = this.times;
    let low = this.head;
    let high = times.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (times[mid]! > time) high = mid;
      else low = mid + 1;
    }
    return times.length - low;
  }
}
