import type { ComponentChildren } from 'preact';

/**
 * The view's one `<h1>`. It takes focus on every change of route (App.tsx), so keyboard and
 * screen-reader users land on the new view instead of staying on the link they followed.
 */
export function ViewHeading({ children }: { readonly children: ComponentChildren }) {
  return (
    <h1 id="view-title" tabIndex={-1}>
      {children}
    </h1>
  );
}
