// Client-side navigation: real <a href> links (keyboard, middle-click) that route without a reload.
import type { ReactNode } from 'react';

export function navigate(to: string) {
  history.pushState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function Link(props: { to: string; children: ReactNode; className?: string }) {
  return (
    <a
      href={props.to}
      className={props.className}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}

/** The desk officer's pages, in the header. */
export function DeskNav(props: { label: string; links: { to: string; label: string }[] }) {
  return (
    <nav aria-label={props.label} className="desk-nav">
      {props.links.map((l) => (
        <Link key={l.to} to={l.to}>
          {l.label}
        </Link>
      ))}
    </nav>
  );
}
