"""check.py NOTEBOOK: checks an executed notebook for notebooks/run.sh.

Prints "images=N want>=M" and exits 0 when no cell errored and the outputs
hold at least the number of images the notebook declares in its metadata,
"somgraph": {"min_images": M}. Otherwise exits 1 with the reason on stderr:
for a failed cell, its first lines of source and its outputs as plain text
(GoNB reports compile errors as HTML, which is reduced to text here).

Images are outputs with image/png or image/svg+xml data, or HTML holding an
<svg> or <img> (GoNB's DisplaySvg sends SVG as HTML). Standard library only.
"""

import html
import json
import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def text(v):
    return "".join(v) if isinstance(v, list) else (v or "")


def as_text(out):
    """The readable text of one output: streams, tracebacks, HTML errors."""
    if "text" in out:
        return text(out["text"])
    if out.get("output_type") == "error":
        tb = out.get("traceback") or []
        return "\n".join(tb) if tb else f"{out.get('ename')}: {out.get('evalue')}"
    data = out.get("data", {})
    if "text/plain" in data:
        return text(data["text/plain"])
    h = text(data.get("text/html"))
    h = re.sub(r"(?s)<(style|script)\b.*?</\1>", "", h)
    t = html.unescape(re.sub(r"<[^>]+>", "", h))
    return re.sub(r"\n\s*\n+", "\n", t).strip()


def failed_cell(i, cell):
    src = text(cell.get("source")).splitlines()
    lines = [f"cell {i} failed:"]
    lines += ["  | " + l for l in src[:8]] + (["  | ..."] if len(src) > 8 else [])
    lines.append("  output:")
    for out in cell.get("outputs", []):
        lines += ["  > " + l for l in ANSI.sub("", as_text(out)).splitlines()[:30]]
    return "\n".join(lines)


def is_image(out):
    data = out.get("data", {})
    h = text(data.get("text/html"))
    return "image/png" in data or "image/svg+xml" in data or "<svg" in h or "<img" in h


def main(path):
    with open(path) as f:
        nb = json.load(f)
    cells = nb.get("cells", [])
    for i, cell in enumerate(cells):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return failed_cell(i, cell)
    want = nb.get("metadata", {}).get("somgraph", {}).get("min_images")
    if not isinstance(want, int) or isinstance(want, bool) or want < 0:
        return 'declare how many images it must show, in the notebook metadata: "somgraph": {"min_images": N}'
    images = sum(is_image(o) for c in cells for o in c.get("outputs", []))
    if images < want:
        return f"{images} images in the outputs, want at least {want}"
    print(f"images={images} want>={want}")
    return None


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: check.py NOTEBOOK.ipynb")
    sys.exit(main(sys.argv[1]))
