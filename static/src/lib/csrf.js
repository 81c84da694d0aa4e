// The CSRF token for fetch() calls that change or render something on the server.
export function csrfHeaders() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return { "Content-Type": "application/json", "X-CSRFToken": meta ? meta.content : "" };
}
