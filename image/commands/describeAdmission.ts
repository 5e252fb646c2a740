/** What an admission says, whichever way the badge came in (the front desk or an entrance board). */
export interface AdmissionLine {
  readonly pseudonym: string;
  readonly returning: boolean;
  readonly space: string;
  readonly destination: string | null;
  readonly handle: number;
  readonly preferences: { readonly temperature?: number };
}

/**
 * An admission as `osmose people admit` and `osmose sim badge` print it: the same words, so a
 * script reads either the same way (the pseudonym first).
 */
export function describeAdmission(admission: AdmissionLine): string {
  const prefers = admission.preferences.temperature === undefined ? '' : `, prefers ${admission.preferences.temperature} °C`;
  return `${admission.pseudonym} ${admission.returning ? 'is back' : 'admitted'} at ${admission.space}${admission.destination === null ? '' : `, expected in ${admission.destination}`} (visit ${admission.handle}${prefers})`;
}
