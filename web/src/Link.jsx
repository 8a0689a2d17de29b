import { href } from "./url.js";

// Navigation inside the page without a reload, while keeping a real href so
// a link can be opened in a new tab, copied or bookmarked.
export function Link({ to, navigate, children, ...rest }) {
  const onClick = (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={href(to)} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
