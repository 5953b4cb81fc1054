// A QR code drawn on the handheld itself, as SVG built element by element: the secret it carries
// never leaves the handheld (no server renders it). The encoder is qrcode-generator 2.0.4 (MIT,
// Kazuhiko Arase), vendored unchanged in ./vendor/qrcode.js (its dist/qrcode.mjs).

import qrcode from "./vendor/qrcode.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const QUIET = 4; // modules of white around the code, as the standard asks

export function qrSvg(text, label) {
  const code = qrcode(0, "M");
  code.addData(text);
  code.make();
  const count = code.getModuleCount();
  const size = count + 2 * QUIET;
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("shape-rendering", "crispEdges");
  const background = document.createElementNS(SVG_NS, "rect");
  background.setAttribute("width", String(size));
  background.setAttribute("height", String(size));
  background.setAttribute("fill", "#fff");
  svg.append(background);
  let d = "";
  for (let row = 0; row < count; row += 1) {
    for (let col = 0; col < count; col += 1) {
      if (code.isDark(row, col)) d += `M${col + QUIET} ${row + QUIET}h1v1h-1z`;
    }
  }
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", d);
  path.setAttribute("fill", "#000");
  svg.append(path);
  return svg;
}
