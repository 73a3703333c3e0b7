"""The findings page (HTML) from the Findings object: on the first screen the five answers, each
a deciding sentence with its mark, and TS-001's success criteria and deliverables ticked; below,
one small chart per sub-question, DDX itself, the targets matrix, the size policy, the ranked
recommendations, the hypotheses; detailed tables folded. Layout only: nothing is judged here."""

from ddxspike.report import html
from ddxspike.report.findings import (INCONCLUSIVE, MEETS, MISSES, NOT_MEASURED, QUESTIONS, Document, judged_name,
                                      verdict_rows)

MARK_CLASS = {MEETS: "pass", MISSES: "fail", NOT_MEASURED: "no-data", INCONCLUSIVE: "inconclusive"}
TICK = {"met": "☑", "partly": "◐", "not yet": "☐"}
KINDS = {"success criterion": "Success criteria", "deliverable": "Deliverables"}
FIRST_SCREEN_CSS = """
h1{font-size:1.35em;margin:.1em 0 .2em} h2{margin:.9em 0 .3em}
.answers{width:100%;border:0;font-size:13.5px;table-layout:fixed} .answers td{border:0;border-bottom:1px solid #e4e7eb;padding:4px 6px}
.answers tr:nth-child(even) td{background:none} .answers td.q{color:#444;font-size:12.5px}
.answers td.mark{white-space:nowrap}
.mark{display:inline-block;border-radius:3px;padding:0 5px;font-size:12px;font-weight:600;color:#fff}
.mark.pass{background:#1a7f37} .mark.fail{background:#b3261e} .mark.no-data{background:#6e7781}
.mark.inconclusive{background:#9a6700} .why{color:#555;font-size:12px}
.checks{width:100%;border:0;font-size:12.5px;table-layout:fixed} .checks td{border:0;padding:1px 6px;vertical-align:top}
.checks tr:nth-child(even) td{background:none} .checks td.t{font-size:14px;line-height:1.2}
.checks td.c{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.checks tr.k td{color:#57606a;font-size:11.5px;font-weight:600;padding-top:3px;text-transform:uppercase;letter-spacing:.03em}
.checks td.e{color:#555;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.note{background:#fff8c5;border:1px solid #d4a72c;padding:2px 8px;font-size:12px;margin:.2em 0;max-width:none}
.matrix td.pass{background:#dafbe1;color:#116329} .matrix td.fail{background:#ffebe9;color:#b3261e}
.matrix td.marginal{background:#fff8c5;color:#7d4e00} .matrix td.nodata{color:#888}
.charts{display:flex;flex-wrap:wrap;gap:12px} .charts figure{margin:0;max-width:680px}
.charts figcaption{font-size:12px;color:#444;max-width:640px}
details{margin:.4em 0} summary{cursor:pointer;font-weight:600}
"""


def _mark(mark: str) -> str:
    return f'<span class="mark {MARK_CLASS.get(mark, "no-data")}">{html.esc(mark)}</span>'


def first_screen(doc: Document) -> str:
    """The answers and the checklist: what must fit in 1400 x 900."""
    rows = []
    for k, a in doc.answers.items():
        why = f' <span class="why">({html.esc(a.reason)})</span>' if a.reason else ""
        rows.append(f'<tr id="{a.id}-answer"><td class="q">{k}. {html.esc(QUESTIONS[k])}</td>'
                    f'<td class="mark">{_mark(a.mark)}</td><td>{html.esc(a.sentence)}{why} '
                    f'<a href="#{a.id}">evidence</a></td></tr>')
    checks, kind = [], None
    for c in doc.checklist:
        if c.kind != kind:  # a small heading row per kind: success criteria, then deliverables
            kind = c.kind
            checks.append(f'<tr class="k"><td></td><td colspan="3">{KINDS.get(kind, kind)}</td></tr>')
        checks.append(f'<tr id="{c.id}"><td class="t" title="{html.esc(c.status)}">{TICK.get(c.status, "☐")}</td>'
                      f'<td class="c" title="{html.esc(c.text)}">{html.esc(c.text)}</td>'
                      f'<td class="e" title="{html.esc(c.why)}">{html.esc(c.why)}</td>'
                      f'<td class="l"><a href="{c.link}">evidence</a></td></tr>')
    checks = "".join(checks)
    return (f'<h2 id="answers">Executive summary: the five sub-questions</h2><table class="answers"><colgroup><col style="width:22%"><col style="width:9.5em"><col></colgroup><tbody>{"".join(rows)}</tbody></table>'
            f'<h2 id="criteria">TS-001 success criteria and deliverables</h2>'
            f'<table class="checks"><colgroup><col style="width:2em"><col style="width:33%"><col><col style="width:5.5em"></colgroup><tbody>{checks}</tbody></table>')


def notes(doc: Document) -> str:
    out = []
    if not doc.ddx.get("version"):
        out.append(f'<p class="note" id="ddx-note">{html.esc(doc.ddx.get("note"))}</p>')
    for n, cls in ((doc.scale, "note"), (doc.hosts, "small")):
        if n:
            out.append(f'<p class="{cls}">{html.esc(n)}</p>')
    return "".join(out)


def matrix_html(doc: Document) -> str:
    m = doc.matrix
    if m.empty:
        return '<p class="small">(no targets)</p>'
    sizes = [s for s in doc.sizes if s in set(m["size"])]
    head = "".join(f"<th>{html.esc(s)}<br><span class=\"small\">{html.esc(doc.ddx.get('shapes', {}).get(s, ''))}"
                   "</span></th>" for s in sizes)
    body = []
    for tid, g in m.groupby("target", sort=False):
        first = g.iloc[0]
        cells = []
        for s in sizes:
            at = g[g["size"] == s]
            if at.empty:
                cells.append('<td class="nodata">–</td>')
                continue
            r = at.iloc[0]
            st = str(r["status"])
            cls = "marginal" if "marginal" in st else "pass" if st.startswith("pass") else \
                "fail" if st.startswith("fail") else "nodata"
            cells.append(f'<td class="{cls}" title="{html.esc(r["cell"])}: {html.esc(st)}">'
                         f'{html.esc(r["measured"])}<br><span class="small">{html.esc(st)}</span></td>')
        if not sizes or g["size"].eq("").all():
            cells = [f'<td class="nodata" colspan="{max(len(sizes), 1)}">{html.esc(first["status"])}'
                     f'{": " + html.esc(first["measured"]) if first["measured"] else ""}</td>']
        body.append(f'<tr><td><b>{html.esc(tid)}</b><br><span class="small">{html.esc(first["text"])} '
                    f'({html.esc(first["source"])})</span></td><td>{html.esc(judged_name(doc, first))}<br>'
                    f'<span class="small">{html.esc(first["judged_as"])}</span></td>{"".join(cells)}'
                    f'<td class="small">{html.esc(first["predicted break"])}</td></tr>')
    return (f'<table class="matrix"><thead><tr><th>target</th><th>judged</th>{head}<th>predicted break</th></tr>'
            f'</thead><tbody>{"".join(body)}</tbody></table>')


def ddx_html(doc: Document) -> str:
    d = doc.ddx
    if not d.get("version"):
        return f'<p>{html.esc(d.get("note"))}</p><p>{html.esc(d["parity"]["text"])}</p>'
    out = [f'<p>Version measured: <b>{html.esc(d["version"])}</b>. Binary against model, per operation and size '
           '(ratio of medians, binary / model, with the quotient of the two intervals).</p>']
    r = d["ratios"]
    out.append(html.table(r.drop(columns=["ratio", "n_files"], errors="ignore")) if not r.empty else
               '<p class="small">No operation measured for both the binary and its model.</p>')
    par = d["parity"]
    out.append(f'<h3>Parity of the model with the binary: {html.badge(par["status"])}</h3><p>{html.esc(par["text"])}</p>')
    if par["mismatches"]:
        out.append("<ul>" + "".join(f"<li>{html.esc(x)}</li>" for x in par["mismatches"][:20]) + "</ul>")
    if d["behaviours"]:
        out.append("<h3>What DDX's commands did</h3><ul>" + "".join(f"<li>{html.esc(x)}</li>" for x in d["behaviours"])
                   + "</ul>")
    return "".join(out)


def policy_html(doc: Document) -> str:
    p = doc.policy
    if p.empty:
        return '<p>No size threshold can be derived yet: no target breaks within the fits.</p>'
    items = []
    for axis, g in p.groupby("axis", sort=False):
        parts = [f"<li><b>{html.esc(r['level'])} at {html.esc(axis)} ≥ {html.esc(r['threshold'])}</b>"
                 + (f" ({html.esc(r['note'])})" if r.get("note") else "") + " "
                 f"{html.esc(r['interval'])}: {html.esc(r['action'])}<br><span class=\"small\">Evidence: "
                 f"{html.esc(r['evidence'])}</span></li>" for r in g.to_dict("records")]
        items.append("".join(parts))
    return "<ul>" + "".join(items) + "</ul>"


def recommendations_html(doc: Document) -> str:
    out = []
    if doc.gains:
        out.append('<p>Prototype optimisations, ranked by measured gain at the largest size (the smaller of the '
                   'warm and cold gains decides the rank):</p><ol id="gains">'
                   + "".join(f"<li>{html.esc(g['text'])}</li>" for g in doc.gains) + "</ol>")
    out.append("<ul>")
    for r in doc.recommendations:
        ev = f'<br><span class="small">Evidence: {html.esc(r["evidence"])}</span>' if r.get("evidence") else ""
        out.append(f"<li id=\"rec-{r['id']}\"><b>{html.esc(r['topic'])}.</b> {html.esc(r['text'])}{ev}</li>")
    out.append("</ul>")
    return "".join(out)


def hypotheses_html(doc: Document) -> str:
    h = html
    out = [h.table(verdict_rows(doc), badges=("verdict",))]
    for x in doc.verdicts:
        out.append(f'<details id="{x.id.lower()}"><summary>{x.id}: {h.esc(x.hypothesis)} — {h.badge(x.verdict)}'
                   f'</summary><p class="rule">Rule: {h.esc(x.rule)}</p><p>{h.esc(x.deciding)}</p>'
                   f'{h.table(x.evidence)}</details>')
    return "".join(out)


def question_sections(doc: Document, charts: dict) -> str:
    out = ['<div class="charts">']
    for k, a in doc.answers.items():
        svg, caption = charts.get(k, ("", ""))
        out.append(f'<figure id="{a.id}">{svg}<figcaption><b>{k}. {html.esc(QUESTIONS[k])}</b> {_mark(a.mark)} '
                   f'{html.esc(caption)}</figcaption></figure>')
    out.append("</div>")
    for k, a in doc.answers.items():
        out.append(f'<details><summary>{k}. {html.esc(QUESTIONS[k])}: the detail</summary><p>{html.esc(a.detail)}</p>'
                   "</details>")
    return "".join(out)


def bottleneck_html(profiles) -> str:
    if profiles is None or profiles.empty:
        return '<p class="small">No profile was taken (the profile rule runs on the largest discovery size).</p>'
    out = []
    for name, g in profiles.groupby("profiled", sort=False):
        shares = g[g["row"] == "share"][["category", "seconds", "share"]]
        top = g[g["row"] == "function"][["function", "calls", "tottime_s", "cumtime_s", "category"]].head(12)
        out.append(f"<h3>{html.esc(name)}</h3>{html.table(shares)}{html.table(top)}")
    return "".join(out)


def findings(doc: Document, hosts, profiles, cfg, charts: dict | None = None, results_md: str = "") -> str:
    """The whole page."""
    h = html
    version = f"{doc.ddx['version']} measured · " if doc.ddx.get("version") else ""
    parts = [f"<style>{FIRST_SCREEN_CSS}</style>",
             '<h1 style="margin-bottom:.1em">DDX TS-001: large repository performance — the answers</h1>',
             f'<p class="small">{h.esc(version)}every figure from results/measurements.parquet: median of '
             'fresh-process trials [distribution-free interval of the median; its coverage shown when below 95%] · '
             '<a href="#ddx">DDX itself</a> · <a href="#targets">targets</a> · <a href="#policy">size policy</a> · '
             '<a href="#recommendations">recommendations</a> · <a href="#hypotheses">hypotheses</a></p>',
             notes(doc), first_screen(doc),
             '<h2 id="figures">The answers in figures</h2>', question_sections(doc, charts or {}),
             f'<h2 id="ddx">DDX itself</h2>{ddx_html(doc)}',
             '<h2 id="targets">Targets</h2><p class="rule">Rows: DDX\'s targets; columns: the measured sizes. A cell '
             'is the median of the implementation the target judges (DDX\'s own binary where measured, else the '
             'strategies it names, else DDX\'s model or the recommended strategy; named in the second column), '
             'its slowest cell at that size: green below the limit, red above, yellow when the interval straddles it. The predicted break is where that '
             'cell\'s fit reaches the limit.</p>', matrix_html(doc),
             '<p class="small">Every cell and size of every target: the "fits, targets and cells" page.</p>',
             '<h2 id="policy">Size limits and warnings</h2><p class="rule">Like git-sizer\'s levels of concern: per '
             'size axis, the smallest size at which a target of that severity is predicted to break for the '
             'implementation it judges (warn: FEAT-001 comfort targets; redirect: TS-001 requirements; refuse: DDX '
             'timeouts).</p>', policy_html(doc),
             '<h2 id="recommendations">Recommendations</h2>', recommendations_html(doc),
             '<h2 id="hypotheses">Hypotheses</h2>', hypotheses_html(doc),
             '<h2 id="optimisations">Prototype optimisations: before / after</h2>',
             "<details><summary>Every cell and size</summary>"
             + h.table(doc.before_after.drop(columns=["ratio", "ratio_lo", "ratio_hi", "ratio_level", "ratio_n"],
                                             errors="ignore")) + "</details>",
             '<h2 id="bottlenecks">Bottlenecks</h2><details><summary>Profiles</summary>'
             + bottleneck_html(profiles) + "</details>"]
    if doc.exclusions:
        parts.append(f'<p class="small">{h.esc(doc.exclusions)}</p>')
    if results_md:
        parts.append('<h2 id="ts-001-results">TS-001 results (results/report/TS-001-results.md)</h2><details>'
                     f'<summary>The filled-in spike, as Markdown</summary><pre style="white-space:pre-wrap">'
                     f'{h.esc(results_md)}</pre></details>')
    parts.append('<h2 id="environment">Environment</h2><details><summary>Hosts</summary>'
                 + h.table(hosts.T.reset_index().rename(columns={"index": "fact"}) if hosts is not None
                           and not hosts.empty else hosts) + "</details>")
    return h.page("DDX TS-001 findings", "".join(parts))

