// Pairing a handheld with a voting pass (SPEC 4.1 `POST /api/kiosk/pair`). The desk's QR code
// carries the single-use code in the URL fragment, which never reaches a server log; we take it
// out of the address bar before anything else so it is not bookmarked or shown over a shoulder.

const PASS_KEY = "votehall.kiosk.pass";

export function savedPass() {
  try {
    return localStorage.getItem(PASS_KEY);
  } catch {
    return null;
  }
}

export function savePass(token) {
  localStorage.setItem(PASS_KEY, token);
}

export function forgetPass() {
  localStorage.removeItem(PASS_KEY);
}

// The code from `#pair=CODE`, or null; the fragment is removed either way.
export function takeFragmentCode() {
  const match = /^#pair=([^&]*)/.exec(location.hash);
  if (!match) return null;
  history.replaceState(null, "", location.pathname + location.search);
  return decodeURIComponent(match[1]);
}

// People type "7kq2m x9dta" or "7KQ2MX9DTA"; the server forgives case, spaces, dashes and O/I/L.
export function looksLikeCode(typed) {
  return /^[0-9A-Za-z]{10}$/.test(typed.replace(/[\s-]/g, ""));
}

export class PairingError extends Error {
  constructor(key, vars = {}) {
    super(key);
    this.key = key;
    this.vars = vars;
  }
}

// Exchanges the code for the pass token and keeps it; throws PairingError with a string key.
export async function pair(code) {
  let response;
  try {
    response = await fetch("/api/kiosk/pair", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ pairing_code: code.trim() }),
    });
  } catch {
    throw new PairingError("pair.offline");
  }
  const body = await response.json().catch(() => ({}));
  if (response.ok && typeof body.pass === "string") {
    savePass(body.pass);
    return body.pass;
  }
  if (body.error === "unknown_pairing_code") throw new PairingError("pair.unknown");
  if (response.status === 422) throw new PairingError("pair.format");
  throw new PairingError("pair.failed", { status: body.error || response.status });
}
