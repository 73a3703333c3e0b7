"""Browser check of the spike document: headless Chromium (Debian's), network off, opens
report.html from a tiny pipeline run, finds the findings page and every chart rendered, and sees
no console errors; at 1400 x 900 the five answers and the TS-001 checklist sit on the first
screen, whose screenshots are kept in results/screenshots/ for a person to look at.

Driven over the DevTools protocol (websockets), so no driver download is needed. Skipped only
when Chromium is absent outside CI; in CI (CI=true) a missing browser fails.
"""

import base64
import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse
from xml.etree import ElementTree

import pytest

from conftest import ROOT, tiny_config

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--remote-debugging-port=0",
         # Network off: nothing resolves and any request would go to a closed local port.
         "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9"]


def _need_browser():
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing in CI: .ci/apt-packages.txt must install chromium")
        pytest.skip("chromium not installed (apt-get install chromium chromium-driver)")
    pytest.importorskip("websockets", reason="websockets is in requirements.txt")


class Browser:
    """A headless Chromium and one page, driven over the DevTools protocol."""

    def __init__(self, profile_dir):
        from websockets.sync.client import connect

        self.proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile_dir}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        url = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and url is None:
            line = self.proc.stderr.readline()
            m = re.search(r"DevTools listening on (ws://\S+)", line)
            url = m.group(1) if m else None
            if not line and self.proc.poll() is not None:
                break
        if url is None:
            self.close()
            raise AssertionError("chromium did not start its DevTools endpoint")
        self.ws = connect(url, max_size=None, open_timeout=20).__enter__()
        self.next_id = 0
        self.events = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)
        self.call("Network.emulateNetworkConditions", session=True, offline=True, latency=0,
                  downloadThroughput=-1, uploadThroughput=-1)

    def call(self, method, session=False, timeout=30, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            reply = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def pump(self, seconds):
        """Collect events for a while (rendering, iframe loads)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.events.append(json.loads(self.ws.recv(timeout=deadline - time.monotonic())))
            except TimeoutError:
                break

    def js(self, expression, context=None, timeout=30):
        params = {"expression": expression, "returnByValue": True, "awaitPromise": True}
        if context is not None:
            params["contextId"] = context
        r = self.call("Runtime.evaluate", session=True, timeout=timeout, **params)
        if "exceptionDetails" in r:
            raise AssertionError(f"{expression[:80]}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait_for(self, expression, timeout=20, context=None):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.js(expression, context):
                return True
            self.pump(0.2)
        return False

    def frame_context(self, frame_id):
        """The default execution context of a frame (e.g. the iframe showing an HTML item)."""
        for ev in reversed(self.events):
            if ev.get("method") == "Runtime.executionContextCreated":
                ctx = ev["params"]["context"]
                aux = ctx.get("auxData", {})
                if aux.get("frameId") == frame_id and aux.get("isDefault"):
                    return ctx["id"]
        return None

    def errors(self):
        out = []
        for ev in self.events:
            m, p = ev.get("method"), ev.get("params", {})
            if m == "Runtime.exceptionThrown":
                out.append(p["exceptionDetails"].get("exception", {}).get("description")
                           or p["exceptionDetails"].get("text"))
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(" ".join(str(a.get("value", a.get("description"))) for a in p.get("args", [])))
            elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
                out.append(p["entry"].get("text"))
        return out

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass
        self.proc.kill()
        self.proc.wait(timeout=10)


def small_run_config():
    """The tiny config, trimmed to the fewest jobs that still fill every part of the document."""
    cfg = tiny_config()
    cfg["measurement"].update(trials=1, heap_trials=0)  # the page is under test, not the numbers
    disc = cfg.get("discovery", {})
    keep = ("ddx-binary", "ddx-list", "walk", "scandir", "memory-cache")
    if "strategies" in disc:
        disc["strategies"] = {k: v for k, v in disc["strategies"].items() if k in keep} or disc["strategies"]
    if "depths" in disc:
        disc["depths"] = ["stat"]
    if "edge_cases" in cfg:
        cfg["edge_cases"] = {}
    sub = cfg.get("subtree")
    if sub:  # one repository, one short history, DDX's own init and update and their models
        ops = ("ddx-init", "ddx-update", "model-add", "internal-pull")
        sub.update(sizes=["tiny"], history_size="tiny", commit_counts=[3], trials=1,
                   operations=[o for o in sub.get("operations", []) if o in ops])
    cat = cfg.get("catalogue")
    if cat and "strategies" in cat:
        cat["strategies"] = {k: v for k, v in cat["strategies"].items() if k in ("scan-parse-c", "index-memory")}
    return cfg


def show(browser, path):
    """Open one report item the way its menu entry does (the report's own view manager)."""
    assert browser.wait_for("typeof app === 'object' && app !== null && typeof app.setView === 'function'")
    browser.js(f"new ToggleViewManager(app).handleSelectedResult({json.dumps(path)}); true")
    browser.pump(0.5)


VIEWPORT = (1400, 900)
SCREENSHOTS = ROOT / "results" / "screenshots"


def screenshot(browser, name):
    """The visible screen as a PNG in results/screenshots/ (a test artefact, for a person)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    png = browser.call("Page.captureScreenshot", session=True, format="png")["data"]
    (SCREENSHOTS / name).write_bytes(base64.b64decode(png))


def first_screen(browser, ctx=None):
    """Bottom edge (px, from the top of the page) of each answer and checklist row."""
    return browser.js("Object.fromEntries([...document.querySelectorAll('[id$=\"-answer\"], .checks tr[id]')]"
                      ".map(e => [e.id, e.getBoundingClientRect().bottom + window.scrollY]))", ctx)


def svg_marks(data_uri: str) -> int:
    """Data marks drawn in a vega-rendered SVG: elements inside its `role-mark` groups."""
    head, _, payload = data_uri.partition(",")
    text = base64.b64decode(payload).decode() if ";base64" in head else urllib.parse.unquote(payload)
    root = ElementTree.fromstring(text)
    return sum(len(list(g)) for g in root.iter("{http://www.w3.org/2000/svg}g")
               if "role-mark" in g.get("class", "").split())


def test_report_opens_offline_with_findings_and_charts(pipeline, tmp_path):
    _need_browser()
    pipeline.write_config(small_run_config())
    pipeline.snakemake()
    pipeline.snakemake("--report", "report.html")
    check_report(pipeline.root, tmp_path / "chromium-profile")


def check_report(root, profile_dir):
    """Every check of the document, on root/report.html and root/results/report/findings.html."""
    report = root / "report.html"
    browser = Browser(profile_dir)
    try:
        browser.call("Page.navigate", session=True, url=report.as_uri())
        # Loaded: the report hides its loading screen after its last script has run.
        assert browser.wait_for("document.querySelector('#loading-screen') !== null && "
                                "document.querySelector('#loading-screen').style.display === 'none' && "
                                "typeof app === 'object' && app !== null", timeout=90)
        results = browser.js("Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.mime_type]))")
        cats = browser.js("Object.keys(categories)")
        assert "0. Findings" in cats, cats
        # The menu lists the findings category, as a reader would see it.
        assert browser.wait_for("document.body.innerText.includes('0. Findings')")

        findings = [p for p in results if p.endswith("findings.html")]
        assert findings, sorted(results)
        show(browser, findings[0])
        assert browser.wait_for("document.querySelector('iframe') !== null")
        browser.pump(1.0)
        tree = browser.call("Page.getFrameTree", session=True)["frameTree"]
        children = [c["frame"]["id"] for c in tree.get("childFrames", [])]
        assert children, "the findings page did not open in a frame"
        ctx = browser.frame_context(children[-1])
        assert ctx is not None
        assert browser.wait_for("document.getElementById('answers') !== null", context=ctx)
        text = browser.js("document.body.innerText", context=ctx)
        for needle in ("Executive summary", "How does asset discovery time scale", "Hypotheses", "H1", "H5",
                       "Targets", "Size limits and warnings", "Recommendations", "TS-001 success criteria",
                       "Environment"):
            assert needle in text, needle
        assert re.search(r"\b(supported|refuted|inconclusive)\b", text)
        # Every small chart on the page itself draws marks.
        inline = browser.js("[...document.querySelectorAll('figure svg')].map(s => s.querySelectorAll("
                            "'g.role-mark > *').length)", context=ctx)
        assert len(inline) == 5 and all(n > 0 for n in inline), inline
        browser.call("Emulation.setDeviceMetricsOverride", session=True, width=VIEWPORT[0], height=VIEWPORT[1],
                     deviceScaleFactor=1, mobile=False)
        browser.pump(0.5)
        screenshot(browser, "report-findings.png")

        # The findings page on its own, as a maintainer opens it: answers and checklist above 900 px.
        page = root / "results" / "report" / "findings.html"
        browser.call("Page.navigate", session=True, url=page.as_uri())
        assert browser.wait_for("document.readyState === 'complete' && document.getElementById('answers') !== null")
        edges = first_screen(browser)
        assert {f"q{k}-answer" for k in range(1, 6)} <= set(edges), edges
        assert sum(1 for k in edges if not k.endswith("-answer")) >= 8, edges  # the checklist rows
        late = {k: v for k, v in edges.items() if v > VIEWPORT[1]}
        assert not late, f"below the first {VIEWPORT[1]} px: {late}"
        marks = browser.js("[...document.querySelectorAll('.answers span.mark')].map(e => e.textContent)")
        assert len(marks) == 5 and set(marks) <= {"meets target", "misses target", "not measured", "inconclusive"}
        screenshot(browser, "findings-first-screen.png")
        browser.call("Page.navigate", session=True, url=report.as_uri())
        assert browser.wait_for("document.querySelector('#loading-screen') !== null && "
                                "document.querySelector('#loading-screen').style.display === 'none'", timeout=90)

        charts = [p for p, mime in results.items() if mime == "image/svg+xml"]
        assert charts, "no charts in the report"
        for path in charts:
            show(browser, path)
            uri = f"results[{json.dumps(path)}].data_uri"
            ok = browser.wait_for(f"[...document.images].some(i => i.src === {uri} && i.complete && i.naturalWidth > 0)")
            assert ok, f"chart {path} is not shown as a loaded image"
            assert svg_marks(browser.js(uri)) > 0, f"chart {path} draws no marks"
        browser.pump(0.5)
        assert browser.errors() == []
    finally:
        browser.close()
