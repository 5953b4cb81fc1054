// HTTP calls of the operator pages (chair, desk; SPEC 4.1). The operator token lives in
// sessionStorage, so it is gone when the tab closes, and travels only in the Authorization
// header, never in a URL (SPEC 3).

export class ApiError extends Error {
  constructor(status, code, detail, body = null) {
    super(detail);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.body = body; // the whole error answer: a 409 pass_active names the representative
  }
}

// One operator role's token store and JSON caller; `call(method, path, payload, {auth})`.
export function operatorClient(role) {
  const key = `votehall.${role}.token`;
  const token = () => sessionStorage.getItem(key);

  async function call(method, path, payload, { auth = true } = {}) {
    const headers = { Accept: "application/json" };
    if (auth) headers.Authorization = `Bearer ${token()}`;
    if (payload !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: payload === undefined ? undefined : JSON.stringify(payload),
        cache: "no-store",
      });
    } catch {
      throw new ApiError(0, "offline", "");
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      throw new ApiError(response.status, body?.error ?? "error", body?.detail ?? response.statusText, body);
    }
    return body;
  }

  return {
    token,
    setToken: (value) => sessionStorage.setItem(key, value),
    forgetToken: () => sessionStorage.removeItem(key),
    call,
  };
}
