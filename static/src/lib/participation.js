// Participation balance on the space page (issue 10): when someone contributes (a comment anywhere in the
// space), fetch the panel's summary again from the server, which reads the counters (never a recount).
export function installParticipation(socket, spaceId) {
  const table = document.getElementById("participation-summary");
  if (!table) return;
  let pending = null;
  const refresh = async () => {
    pending = null;
    const response = await fetch(`/spaces/${spaceId}/participation/summary`, { credentials: "same-origin" });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById("participation-summary");
    if (fresh) table.replaceChildren(...fresh.childNodes);
  };
  socket.on("comment_created", (payload) => {
    // debounce: a burst of comments must not fetch once per comment
    if (payload.space_id === spaceId && !pending) pending = setTimeout(refresh, 500);
  });
}
