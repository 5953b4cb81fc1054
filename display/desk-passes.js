// The desk's list of voting passes: present members first, then checked-out and revoked ones,
// each with the actions its status allows. A row is built once and kept while its pass does not
// change; the search only hides and shows rows, so typing never rebuilds the list (a congress
// has thousands of passes, and two desks refresh it whenever the hall's presence moves).

import { formatNumber, formatWeight, t } from "/assets/lib/i18n.js";
import { h } from "./render.js";

const GROUPS = ["active", "checked_out", "revoked"];
// What the desk may do with a pass in each status (server/desk/service.py).
export const ACTIONS = { active: ["checkout", "revoke", "pairing"], checked_out: ["return"], revoked: [] };

// "Súdwest-Fryslân" is found by "sudwest"; case and accents do not matter.
export function fold(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

function signature(pass) {
  return JSON.stringify([pass.status, pass.representative, pass.role, pass.paired, pass.weight, pass.member]);
}

function order(a, b) {
  const group = GROUPS.indexOf(a.status) - GROUPS.indexOf(b.status);
  return group || a.member.name.localeCompare(b.member.name, "nl") || b.pass_id - a.pass_id;
}

// root: the panel with the three `.group[data-group]` sections; act(pass, action, row) runs an action.
export function createPassList(root, act) {
  const rows = new Map(); // pass_id -> { signature, el, haystack }
  const groups = Object.fromEntries(
    GROUPS.map((status) => {
      const section = root.querySelector(`.group[data-group="${status}"]`);
      const list = section.querySelector(".pass-list");
      return [status, { section, list, count: section.querySelector(".group-count") }];
    }),
  );
  let passes = [];
  let words = [];

  function actionButton(pass, action) {
    const button = h("button", {
      type: "button",
      class: `action action-${action}`,
      "data-action": action,
      text: t(`desk.action.${action}`),
    });
    button.addEventListener("click", () => act(pass, action));
    return button;
  }

  function build(pass) {
    const role = t(`desk.role.${pass.role}`);
    return h(
      "li",
      { class: `pass status-${pass.status}`, "data-pass": pass.pass_id, "data-member": pass.member.code },
      h(
        "div",
        { class: "pass-text" },
        h(
          "p",
          { class: "pass-member" },
          h("span", { class: "pass-name", text: pass.member.name }),
          h("span", { class: "pass-code", text: pass.member.code }),
          h("span", { class: "pass-weight", text: formatWeight(pass.weight) }),
        ),
        h(
          "p",
          { class: "pass-who" },
          h("span", { class: `pass-status status-${pass.status}`, text: t(`desk.status.${pass.status}`) }),
          h("span", { class: "pass-rep", text: t("desk.pass.who", { name: pass.representative, role }) }),
          // Whether the representative's handheld has taken the pass (SPEC 4.1 pairing).
          pass.status === "active"
            ? h("span", {
                class: `pass-pairing ${pass.paired ? "pass-paired" : "pass-unpaired"}`,
                text: t(pass.paired ? "desk.pass.paired" : "desk.pass.unpaired"),
              })
            : null,
        ),
      ),
      h("div", { class: "pass-actions" }, (ACTIONS[pass.status] ?? []).map((a) => actionButton(pass, a))),
    );
  }

  function filter() {
    const counts = { active: 0, checked_out: 0, revoked: 0 };
    for (const pass of passes) {
      const row = rows.get(pass.pass_id);
      const match = words.every((word) => row.haystack.includes(word));
      if (row.el.hidden === match) row.el.hidden = !match;
      if (match) counts[pass.status] = (counts[pass.status] ?? 0) + 1;
    }
    let shown = 0;
    for (const status of GROUPS) {
      shown += counts[status];
      groups[status].section.hidden = counts[status] === 0;
      groups[status].count.textContent = `(${formatNumber(counts[status])})`;
    }
    const empty = root.querySelector("#passes-empty");
    const none = passes.length === 0 ? t("desk.passes.none") : shown === 0 ? t("desk.passes.no_match") : "";
    empty.textContent = none;
    empty.hidden = !none;
    const of = formatNumber(passes.length);
    root.querySelector("#passes-count").textContent =
      words.length && passes.length ? t("desk.passes.shown", { n: formatNumber(shown), of }) : "";
  }

  return {
    // A new list from the server: rows of unchanged passes stay as they are.
    update(next) {
      passes = next.filter((pass) => GROUPS.includes(pass.status)).sort(order);
      const keep = new Set();
      for (const pass of passes) {
        keep.add(pass.pass_id);
        const sig = signature(pass);
        if (rows.get(pass.pass_id)?.signature === sig) continue;
        const haystack = fold([pass.member.name, pass.member.code, pass.representative, pass.role].join(" "));
        rows.set(pass.pass_id, { signature: sig, el: build(pass), haystack });
      }
      for (const id of rows.keys()) if (!keep.has(id)) rows.delete(id);
      for (const status of GROUPS) {
        const els = passes.filter((pass) => pass.status === status).map((pass) => rows.get(pass.pass_id).el);
        groups[status].list.replaceChildren(...els);
      }
      filter();
    },
    // One pass changed here (the server's answer to an action): shown at once, before the reload.
    patch(pass) {
      this.update([...passes.filter((p) => p.pass_id !== pass.pass_id), pass]);
    },
    search(text) {
      words = fold(text).split(/\s+/).filter(Boolean);
      filter();
    },
    busy(passId, busy) {
      for (const button of rows.get(passId)?.el.querySelectorAll("button") ?? []) button.disabled = busy;
    },
    has(pass) {
      return rows.get(pass.pass_id)?.signature === signature(pass);
    },
    // Active passes whose handheld has not paired yet.
    unpaired() {
      return passes.filter((pass) => pass.status === "active" && !pass.paired).length;
    },
    // The language changed: every row is built again with the new words.
    relabel() {
      rows.clear();
      this.update(passes);
    },
    clear() {
      rows.clear();
      this.update([]);
    },
  };
}
