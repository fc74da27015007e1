/** One dependency a process needs to serve: `check` resolves when it answers, and throws with the reason if not. */
export interface HealthIndicator {
  readonly name: string;
  check(): Promise<void>;
}
