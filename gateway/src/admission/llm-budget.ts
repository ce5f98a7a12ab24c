// Daily LLM token budgets per tier, counted per user (UTC day). Anonymous sessions share one
// budget among all of them: a new anonymous id per socket must not mean a fresh budget.
// In memory, per gateway replica: a restart or another replica starts from zero (documented).

export interface LlmBudgetConfig {
  /** Tokens per user per UTC day, by tier; `*` for tiers not listed; 0 = no limit. */
  readonly dailyTokensByTier: Readonly<Record<string, number>>;
  /** Tokens per UTC day for all anonymous sessions together; 0 = no limit. */
  readonly publicDailyTokens: number;
}

const DAY_MS = 86_400_000;

export class LlmBudget {
  private day = -1;
  private readonly spent = new Map<string, number>();

  constructor(private readonly config: LlmBudgetConfig) {}

  /** 0 when the key may start a turn, else the ms until the budget resets (next UTC day). */
  check(key: string, tier: string, now: number): number {
    this.roll(now);
    const limit = this.limitOf(key, tier);
    if (limit === 0 || (this.spent.get(key) ?? 0) < limit) return 0;
    return DAY_MS - (now % DAY_MS);
  }

  charge(key: string, tokens: number, now: number): void {
    if (!(tokens > 0)) return;
    this.roll(now);
    this.spent.set(key, (this.spent.get(key) ?? 0) + tokens);
  }

  spentBy(key: string, now: number): number {
    this.roll(now);
    return this.spent.get(key) ?? 0;
  }

  private limitOf(key: string, tier: string): number {
    if (key === PUBLIC_BUDGET_KEY) return this.config.publicDailyTokens;
    const byTier = this.config.dailyTokensByTier;
    return byTier[tier] ?? byTier['*'] ?? 0;
  }

  private roll(now: number): void {
    const day = Math.floor(now / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.spent.clear();
    }
  }
}

/** The key every anonymous session's usage is counted under. */
export const PUBLIC_BUDGET_KEY = '\u0000public';
