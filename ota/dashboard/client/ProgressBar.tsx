/**
 * A progress bar that says its share in text too ("40%"): a native `<progress>` for assistive
 * technology, labelled by `label`, with the number beside it for everyone.
 */
export function ProgressBar({ percent, label, testId }: { readonly percent: number; readonly label: string; readonly testId?: string }) {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <div class="progress">
      <progress max={100} value={value} aria-label={label} />
      <span class="progress-text" data-testid={testId}>
        {value}%
      </span>
    </div>
  );
}
