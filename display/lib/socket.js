// One reconnecting WebSocket for every page. A hall full of handhelds and screens loses the
// network at the same moment and gets it back at the same moment, so retries back off with
// full jitter: each waits a random time between 0 and a window that starts at 1 s and doubles
// to 15 s. Ten thousand handhelds cut off at once come back spread over the first second (and
// those the server could not take yet over the next two, four, ...), never all in one instant.

const FIRST_WINDOW = 1000;
const MAX_WINDOW = 15000;

export function backoffDelay(attempt) {
  return Math.random() * Math.min(MAX_WINDOW, FIRST_WINDOW * 2 ** attempt);
}

export function socketUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

// handlers: open(socket) after connecting; message(data) per JSON frame; close(event) returns
// "stop" (do not reconnect), "now" (reconnect at once) or anything else (back off);
// status("connecting" | "open" | "lost").
export function connect(path, handlers) {
  let socket = null;
  let attempt = 0;
  let timer = null;
  let stopped = false;

  function open() {
    clearTimeout(timer);
    timer = null;
    if (stopped) return;
    handlers.status?.("connecting");
    const ws = new WebSocket(socketUrl(path));
    socket = ws;
    ws.addEventListener("open", () => {
      handlers.status?.("open");
      handlers.open?.(ws);
    });
    ws.addEventListener("message", (event) => {
      // Only a server that talks back counts as healthy; one that accepts and drops at once
      // would otherwise be hammered without any backoff.
      attempt = 0;
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      handlers.message?.(data);
    });
    ws.addEventListener("close", (event) => {
      if (socket !== ws) return;
      socket = null;
      const next = handlers.close?.(event);
      if (stopped || next === "stop") return;
      handlers.status?.("lost");
      schedule(next === "now" ? 0 : backoffDelay(attempt++));
    });
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(open, delay);
  }

  // Back online, or a phone woken from sleep: try now instead of waiting out a long backoff.
  function wake() {
    if (!socket && !stopped && document.visibilityState === "visible") schedule(backoffDelay(0) / 2);
  }
  window.addEventListener("online", wake);
  document.addEventListener("visibilitychange", wake);

  open();

  return {
    send(message) {
      if (!socket || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(message));
      return true;
    },
    // Drop this connection and make a new one (e.g. when an ack never comes on a dead link).
    restart(code = 4000, reason = "restart") {
      const ws = socket;
      if (!ws) return;
      socket = null;
      ws.close(code, reason);
      handlers.status?.("lost");
      schedule(backoffDelay(attempt++));
    },
    stop() {
      stopped = true;
      window.removeEventListener("online", wake);
      document.removeEventListener("visibilitychange", wake);
      clearTimeout(timer);
      socket?.close(1000, "bye");
      socket = null;
    },
    get connected() {
      return socket?.readyState === WebSocket.OPEN;
    },
  };
}
