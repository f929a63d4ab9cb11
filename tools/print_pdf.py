"""Print the whole book to one PDF with Debian's Chromium: ``make pdf`` runs this.

1. Build the book as one HTML page (``jupyter-book build --builder singlehtml``) from the stored
   outputs, into ``<out>/singlehtml/``.
2. Serve that folder on 127.0.0.1 (the page scripts need http, not file://) and open it in
   /usr/bin/chromium through playwright (never a browser that a tool downloads; jupyter-book's own
   ``pdfhtml`` builder would download one).
3. Wait until MathJax has typeset and every image has loaded; print A4 with page numbers to
   ``<out>/smecredit-book.pdf``.

The PDF is the students' copy. It leaves out the exercises' solutions and the cells whose output
is a live widget (print rules in ``_assets/book.css``; paper cannot move a slider, and each
widget's static twin, the figure beside it, carries its content), and the part for instructors
(``INSTRUCTOR_PARTS``); a note under the title says so. Wrapped code lines hang indented under
their own line, so a reader can tell a continuation from a new line.

Usage: python tools/print_pdf.py [--out _build/pdf] [--browser /usr/bin/chromium]
(``--browser``: another Chromium-family browser already on the machine, such as the Google Chrome
of GitHub's Ubuntu runners.) Raises SystemExit with a message when the browser is missing or the
build fails.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import subprocess
import sys
import threading
import re
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chromium import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402  (tools/chromium.py)

ROOT = Path(__file__).resolve().parents[1]
PDF_NAME = "smecredit-book.pdf"
PRINTABLE_WIDTH_PX = 680  # A4 (210 mm) less 15 mm margins each side, at 96 px an inch
FOOTER = ('<div style="font-size:8px; width:100%; text-align:center; color:#555;">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def build_single_page(out: Path) -> Path:
    """Build the one-page HTML book under ``out``; return the folder holding its index.html."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run([str(jupyter_book), "build", str(ROOT), "--builder", "singlehtml",
                             "--path-output", str(out)], capture_output=True, text=True, cwd=ROOT)
    html = out / "_build" / "singlehtml"
    page = html / "book" / "intro.html"  # the root document of _toc.yml
    if result.returncode != 0 or not page.is_file():
        raise SystemExit("the single-page build failed:\n" + result.stdout[-3000:] + result.stderr[-3000:])
    # Sphinx writes the one page at the root document's path but links its files as if it sat at the
    # top (_static/..., _images/...): move it up, in place of the redirect Jupyter Book leaves there.
    # Its links to its own sections still name that path ("book/intro.html#..."): make them
    # fragments, so that in the PDF they jump within the book rather than to a server long gone.
    text = page.read_text(encoding="utf-8")
    text = re.sub(r'href="book/intro\.html(#[^"]*)?"', lambda m: f'href="{m.group(1) or "#"}"', text)
    (html / "index.html").write_text(text, encoding="utf-8")
    page.unlink()
    return html


# Parts of _toc.yml that the students' copy leaves out (the assignment, its answer key and rubric).
INSTRUCTOR_PARTS = ("For instructors",)


def read_toc() -> dict:
    """``_toc.yml``, as the book's tools and tests read it (its one reader)."""
    return yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))


def parts() -> list[tuple[str, str, list[str]]]:
    """(caption, first file, every file) of every part of ``_toc.yml``, in reading order."""
    toc = read_toc()
    return [(part["caption"], part["chapters"][0]["file"], [c["file"] for c in part["chapters"]])
            for part in toc["parts"]]


def printed_parts() -> list[tuple[str, str, list[str]]]:
    """The parts the PDF prints: all but ``INSTRUCTOR_PARTS``."""
    return [part for part in parts() if part[0] not in INSTRUCTOR_PARTS]


def release() -> str:
    """The release the book is at: ``smecredit.RELEASE_TAG``, "v" + the version in ``pyproject.toml``."""
    from smecredit import RELEASE_TAG

    return RELEASE_TAG


# Run in the page before printing. The one-page build nests every part inside the introduction's
# section "How to use it" and leaves the introduction's last section after them; in print that would
# put the chapters under "How to use it" in the PDF's bookmarks and the licence after the appendix.
# This moves each part, under a heading with its caption, to the end of the book, in order.
ARRANGE_PARTS = """([kept, dropped, note]) => {
  // the contents list's part captions are headings for screen readers; in the PDF they would
  // become a second set of part bookmarks, so they stay plain text there
  document.querySelectorAll('p.caption[role="heading"]').forEach(p => p.removeAttribute('role'));
  const wrapperOf = file => document.querySelector('span#document-' + CSS.escape(file)).closest('div.toctree-wrapper');
  const root = wrapperOf(kept[0][1]).parentElement.closest('section').parentElement.closest('section');
  for (const [caption, first] of kept) {
    const heading = document.createElement('h2');
    heading.className = 'print-part';
    heading.textContent = caption;
    root.appendChild(heading);
    root.appendChild(wrapperOf(first));
  }
  // the instructors' part goes, with its lines in the contents list
  for (const [caption, first, files] of dropped) {
    wrapperOf(first).remove();
    for (const file of files) {
      document.querySelectorAll('a[href="#document-' + file + '"]').forEach(a => a.closest('li')?.remove());
    }
    document.querySelectorAll('p.caption').forEach(p => { if (p.textContent.trim() === caption) p.remove(); });
  }
  const title = document.querySelector('h1');  // the book's title, above the contents list
  const para = document.createElement('p');
  para.className = 'print-note';
  para.textContent = note;
  title.after(para);
}"""

# Code on paper: each line of a listing becomes its own block, so a line too long for the paper
# wraps with a hanging indent (its continuation starts four characters in from the line's own
# indentation) rather than at the left margin, where it would read as a new line. Syntax colours
# are kept: a token that spans lines is split into one copy per line. Returns the number of lines
# that wrap.
HANG_CODE_LINES = """() => {
  let wrapped = 0;
  for (const pre of document.querySelectorAll('article pre')) {
    const lines = [[]];
    const walk = (node, wrappers) => {
      if (node.nodeType === Node.TEXT_NODE) {
        node.nodeValue.split('\\n').forEach((part, i) => {
          if (i > 0) lines.push([]);
          if (!part) return;
          let piece = document.createTextNode(part);
          for (const wrapper of [...wrappers].reverse()) {
            const copy = wrapper.cloneNode(false);
            copy.appendChild(piece);
            piece = copy;
          }
          lines[lines.length - 1].push(piece);
        });
      } else {
        for (const child of Array.from(node.childNodes)) walk(child, [...wrappers, node]);
      }
    };
    for (const child of Array.from(pre.childNodes)) walk(child, []);
    if (lines.length > 1 && lines[lines.length - 1].length === 0) lines.pop();
    pre.replaceChildren(...lines.map(nodes => {
      const line = document.createElement('span');
      line.className = 'print-line';
      const text = nodes.map(n => n.textContent).join('');
      const indent = text.length - text.trimStart().length + 4;
      line.style.cssText = `display:block; padding-left:${indent}ch; text-indent:-${indent}ch`;
      if (nodes.length) line.append(...nodes); else line.append('\\u200b');
      return line;
    }));
    const height = parseFloat(getComputedStyle(pre).lineHeight) || 10;
    wrapped += Array.from(pre.children).filter(line => line.getBoundingClientRect().height > 1.5 * height).length;
  }
  return wrapped;
}"""

# Tables on paper. Column names such as "borrowers_with_balance" are single words to a browser and
# keep a table wider than the paper: a zero-width space after each underscore lets them break there,
# and only there. A table still wider than the paper (a wide data frame) is scaled down to fit.
FIT_TABLES = """(width) => {
  const article = document.querySelector('article');
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('th, td') && node.nodeValue.includes('_')) {
      node.nodeValue = node.nodeValue.replaceAll('_', '_\u200b');
    }
  }
  for (const table of article.querySelectorAll('table')) {
    const box = table.getBoundingClientRect();
    if (box.right > width) {
      table.style.zoom = Math.max(0.5, 0.97 * (width - box.left) / box.width).toFixed(3);  // 3% to spare: a zoomed table re-lays out
    }
  }
}"""

# Elements whose content is wider than the paper: clipped (scrolls inside itself) or past the right edge.
OVERFLOWING = """(width) => Array.from(document.querySelectorAll(
    'article pre, article table, article img, article .cell_output, article mjx-container[display="true"]'))
  .filter(el => el.offsetParent !== null)
  .filter(el => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible'
                || el.getBoundingClientRect().right > width + 1)
  .map(el => el.tagName.toLowerCase() + ': ' + el.textContent.trim().slice(0, 60))"""


# The headings as the reader sees them (without the "#" link), to mend the PDF's bookmark titles.
HEADINGS = """() => Array.from(document.querySelectorAll('article :is(h1, h2, h3, h4, h5, h6)'))
  .map(h => Array.from(h.childNodes).filter(n => !(n.classList && n.classList.contains('headerlink')))
                 .map(n => n.textContent).join('').trim())"""


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def same_heading(title: str, heading: str) -> bool:
    """Whether a Chromium bookmark ``title`` stands for ``heading``: spaces and section numbers
    aside, it starts and ends as the heading does (Chromium may repeat the number and the first
    line of a heading that wraps, and drops the space at each line break)."""
    bare_title = re.sub(r"^(?:\d+\.)+", "", squeezed(title))
    bare_heading = re.sub(r"^(?:\d+\.)+", "", squeezed(heading))
    ends = min(8, len(bare_heading))
    return bool(bare_heading) and bare_title.startswith(bare_heading[:ends]) and bare_title.endswith(bare_heading[-ends:])


def mend_bookmarks(pdf: Path, headings: list[str]) -> int:
    """Give every bookmark of ``pdf`` the text of its heading; return how many were mended.

    Chromium builds the bookmarks from the headings, in document order, but drops the space at a
    line break ("borrowcheaply") and, for some headings at the top of a page, writes the number and
    the first line twice ("1.4. 1.4. What the statistics showWhat the statistics show"). Walking
    the bookmarks and ``headings`` (h1 to h6 in document order) together, each bookmark that
    stands for the next heading or one shortly after it (see same_heading) gets its text.
    """
    import logging

    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # Chromium's PDFs draw a harmless trailer-size warning
    writer = PdfWriter(clone_from=str(pdf))
    outlines = writer.root_object.get("/Outlines")
    items, stack = [], [outlines.get_object().get("/First")] if outlines is not None else []
    while stack:  # depth first, in document order
        item = stack.pop()
        if item is not None:
            item = item.get_object()
            items.append(item)
            stack.extend([item.get("/Next"), item.get("/First")])
    mended, next_heading = 0, 0
    for item in items:
        title = str(item.get("/Title", ""))
        for index in range(next_heading, min(next_heading + 5, len(headings))):
            if same_heading(title, headings[index]):
                if title != headings[index]:
                    item[NameObject("/Title")] = TextStringObject(headings[index])
                    mended += 1
                next_heading = index + 1
                break
    writer.write(str(pdf))
    return mended


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """A quiet static server for ``folder`` on a free loopback port, running in a thread."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # the build log is noise enough
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def print_with(browser, html: Path, pdf: Path) -> dict:
    """Print the one-page book in ``html`` to ``pdf`` with a running playwright ``browser``.

    Waits until MathJax has typeset and every image has loaded.

    Returns:
        What was on the page when printed: {"math": typeset formulas, "images": loaded images,
        "overflowing": descriptions of elements wider than the paper (should be empty),
        "wrapped_code_lines": code lines too long for the paper, printed with a hanging indent,
        "bookmarks_mended": bookmark titles given back their heading's text (see mend_bookmarks),
        "seconds": time to print}.
    """
    server, url = serve(html)
    start = time.perf_counter()
    found: dict = {}
    page = browser.new_page()
    try:
        page.goto(url + "index.html", wait_until="load")
        page.wait_for_load_state("networkidle")
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("() => MathJax.startup.promise")
        page.wait_for_function("() => Array.from(document.images).every(img => img.complete)", timeout=60000)
        note = (f"Release {release()}. This printed copy leaves out the exercises' solutions, the live "
                "widgets and the pages for instructors; the web book and the notebooks have them. "
                "Its data are simulated.")
        kept = printed_parts()
        page.evaluate(ARRANGE_PARTS, [kept, [p for p in parts() if p not in kept], note])
        page.emulate_media(media="print")
        page.set_viewport_size({"width": PRINTABLE_WIDTH_PX, "height": 1000})
        page.evaluate(FIT_TABLES, PRINTABLE_WIDTH_PX)
        found["wrapped_code_lines"] = page.evaluate(HANG_CODE_LINES)
        found.update(page.evaluate("""() => ({math: document.querySelectorAll('mjx-container').length,
            images: Array.from(document.images).filter(img => img.naturalWidth > 0).length})"""))
        found["overflowing"] = page.evaluate(OVERFLOWING, PRINTABLE_WIDTH_PX)
        headings = page.evaluate(HEADINGS)
        pdf.parent.mkdir(parents=True, exist_ok=True)
        # tagged: headings, lists and tables stay structure for screen readers; outline: bookmarks
        page.pdf(path=str(pdf), format="A4", print_background=True, tagged=True, outline=True,
                 display_header_footer=True, header_template="<span></span>", footer_template=FOOTER,
                 margin={"top": "15mm", "bottom": "18mm", "left": "15mm", "right": "15mm"})
    finally:
        page.close()
        server.shutdown()
    found["bookmarks_mended"] = mend_bookmarks(pdf, headings)
    return {**found, "seconds": time.perf_counter() - start}


def print_book(html: Path, pdf: Path, browser_path: Path = CHROMIUM) -> dict:
    """Start the browser at ``browser_path`` and print the one-page book to ``pdf`` (see print_with)."""
    from playwright.sync_api import sync_playwright

    if not browser_path.exists():
        raise SystemExit(f"{browser_path} is missing: install Debian's chromium (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(browser_path), args=CHROMIUM_FLAGS)
        try:
            return print_with(browser, html, pdf)
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "pdf", help="folder for the PDF")
    parser.add_argument("--browser", type=Path, default=CHROMIUM, help="the Chromium-family browser to print with")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    html = build_single_page(out)
    pdf = out / PDF_NAME
    found = print_book(html, pdf, args.browser)
    print(f"{pdf}: {pdf.stat().st_size / 1e6:.1f} MB; printed {found['math']} formulas and "
          f"{found['images']} images in {found['seconds']:.0f} s; {found['wrapped_code_lines']} code lines "
          "wrap, with a hanging indent")
    if found["overflowing"]:
        print(f"{len(found['overflowing'])} elements are wider than the paper and cut off, such as:\n  "
              + "\n  ".join(found["overflowing"][:10]))


if __name__ == "__main__":
    main()
