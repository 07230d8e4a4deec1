import type { AppraisalStatus, CheckOutcome, Tee, VerifierOutput } from '../types.js';

/** An ordered list of named checks and an appraisal builder, shared by the verifier plug-ins. */
export class CheckList {
  readonly outcomes: CheckOutcome[] = [];

  pass(check: string, detail?: string): void {
    this.outcomes.push(detail === undefined ? { check, ok: true } : { check, ok: true, detail });
  }

  fail(check: string, detail: string): void {
    this.outcomes.push({ check, ok: false, detail });
  }

  /** Records `check` as passed when `failure` is null, else as failed with that reason. */
  record(check: string, failure: string | null, passDetail?: string): boolean {
    if (failure === null) this.pass(check, passDetail);
    else this.fail(check, failure);
    return failure === null;
  }

  get ok(): boolean {
    return this.outcomes.every((c) => c.ok);
  }
}

/** Appraisal under construction: the status only ever gets worse as reasons are added. */
export class AppraisalBuilder {
  private status: AppraisalStatus = 'affirming';
  private readonly reasons: string[] = [];

  add(status: AppraisalStatus, reason: string): void {
    const rank = { affirming: 0, warning: 1, contraindicated: 2 } as const;
    if (rank[status] > rank[this.status]) this.status = status;
    this.reasons.push(reason);
  }

  build(): { status: AppraisalStatus; reasons: string[] } {
    return { status: this.status, reasons: [...this.reasons] };
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What a plug-in returns when it cannot read its evidence: that one failed check, no claims. */
export function unreadable(tee: Tee | null, check: string, error: unknown): VerifierOutput {
  return { tee, claims: null, rawClaims: {}, checks: [{ check, ok: false, detail: errorMessage(error) }], appraisal: { status: 'contraindicated', reasons: [`${check} failed`] } };
}
