// The pairing QR code comes from the server as SVG text (segno). It is never put in the page as
// markup: it is parsed as XML and rebuilt element by element in the SVG namespace, keeping only
// the few elements and attributes a QR code is drawn with. Whatever else the text held (a
// script, an event handler, a style, a link) is left behind.

const SVG_NS = "http://www.w3.org/2000/svg";
const ELEMENTS = new Set(["svg", "g", "path", "rect"]);
const ATTRIBUTES = new Set([
  ...["viewBox", "transform", "d", "x", "y", "width", "height"],
  ...["fill", "stroke", "stroke-width"],
]);
const NUMBER = /^\d+(\.\d+)?$/;
// Colours are plain (#000, #fff); anything like url(...) could reach out of the image.
const COLOUR = /^(#[0-9a-fA-F]{3,8}|none)$/;

function copy(source) {
  if (!ELEMENTS.has(source.localName)) return null;
  const element = document.createElementNS(SVG_NS, source.localName);
  for (const attribute of source.attributes) {
    const value = attribute.value;
    if (!ATTRIBUTES.has(attribute.localName) || attribute.namespaceURI) continue;
    const paint = attribute.localName === "fill" || attribute.localName === "stroke";
    if (paint && !COLOUR.test(value)) continue;
    element.setAttribute(attribute.localName, value);
  }
  for (const child of source.children) {
    const copied = copy(child);
    if (copied) element.append(copied);
  }
  return element;
}

// An <svg> element to put in the page, scaled by CSS, or null when the text is no SVG.
export function qrImage(markup, label) {
  const parsed = new DOMParser().parseFromString(markup, "image/svg+xml");
  if (parsed.getElementsByTagName("parsererror").length) return null;
  const svg = copy(parsed.documentElement);
  if (!svg || svg.localName !== "svg") return null;
  // The size comes from the stylesheet; the drawing keeps its own coordinates in a viewBox.
  const width = svg.getAttribute("width");
  const height = svg.getAttribute("height");
  if (!svg.hasAttribute("viewBox") && NUMBER.test(width ?? "") && NUMBER.test(height ?? "")) {
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  }
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.setAttribute("class", "qr");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  return svg;
}
