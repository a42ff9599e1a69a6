"""A question in its two renderings: Markdown in the notebook, a self-checking form on the page.

One way to answer in each place. In a notebook (JupyterLab, Binder) a question
is its prompt in a Markdown cell (:func:`prompt_markdown`, written by
``python -m labtools.assign``, readable before anything runs), answered in the
code cell after it (``answer_q1 = ...`` and the check call): what the grader
reads. On the static page, where no kernel runs, the book swaps each prompt
cell for the question's form (:func:`page_with_forms`, called by
``_ext/labtools_book.py`` as the page is read), so the notebook holds no form
and no second attempt counter.

:func:`render_html` writes the form and a small inline script (``SCRIPT``:
SHA-256 and the same checks as :mod:`labtools.grading.questions`, so it works
on ``file://`` pages and in the static book). The script receives only hashes
and hints (:func:`js_payload`), never a key.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Mapping

from .base import LABEL_HINTS, LETTERS, NEAR_MISS_BUCKETS

__all__ = ["render_html", "js_payload", "SCRIPT", "PROMPT_TAG", "prompt_markdown", "markdown_text",
           "page_with_forms"]

#: The tag of a notebook's Markdown cell that holds a question's prompt; its
#: ``metadata.labtools.question`` names the question ("q1").
PROMPT_TAG = "question-prompt"


_BOX = ("border:1px solid #6b6b6b;border-radius:6px;padding:0.8em 1em;margin:0.6em 0;"
        "background:#fafafa;color:#1a1a1a;")
_FEEDBACK = "margin-top:0.5em;white-space:pre-line;min-height:1.2em;"
_BUTTON = ("margin-top:0.5em;padding:0.25em 1em;border:1px solid #1a4f8a;border-radius:4px;"
           "background:#1a4f8a;color:#ffffff;cursor:pointer;")


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def js_payload(q) -> dict:
    """The data the page's script needs to check ``q``: hashes and hints, no key."""
    data = {"kind": q.kind, "qid": q.qid, "salt": q.salt, "points": q.points}
    if q.kind == "choice":
        data.update(multiple=q.multiple, n=len(q.options), hints=q.hints,
                    hash=q.answer_hash)
    elif q.kind == "numeric":
        data.update(tol=q.tol, hash=q.answer_hash, mistakes=q.mistakes,
                    near=NEAR_MISS_BUCKETS, hint=q.wrong_hint)
    elif q.kind == "classify":
        data.update(n=len(q.items), labels=q.labels, hashes=q.item_hashes,
                    labelHints=LABEL_HINTS)
    return data


def render_html(q) -> str:
    """Return a self-contained HTML form (with inline script) for ``q``."""
    uid = "lq-" + uuid.uuid4().hex[:10]
    head = (f'<div class="labtools-quiz" style="{_BOX}">'
            f'<form id="{uid}" novalidate>'
            f'<fieldset style="border:0;padding:0;margin:0;">'
            f'<legend style="font-weight:bold;padding:0;">'
            f'{_esc(q.key)}. {_esc(q.prompt)}</legend>')
    body = []
    if q.kind == "choice":
        typ = "checkbox" if q.multiple else "radio"
        if q.multiple:
            body.append('<p style="margin:0.3em 0;font-style:italic;">'
                        'Select every true statement.</p>')
        for i, opt in enumerate(q.options):
            oid = f"{uid}-o{i}"
            body.append(f'<div><input type="{typ}" id="{oid}" name="{uid}-opt" value="{i}">'
                        f' <label for="{oid}">({LETTERS[i]}) {_esc(opt)}</label></div>')
    elif q.kind == "numeric":
        iid = f"{uid}-x"
        body.append(f'<label for="{iid}">Your answer (a number; tolerance {q.tol:g}): </label>'
                    f'<input type="text" inputmode="decimal" id="{iid}" '
                    f'autocomplete="off" size="14">')
    elif q.kind == "classify":
        for i, item in enumerate(q.items):
            sid = f"{uid}-s{i}"
            opts = '<option value="">(choose)</option>' + "".join(
                f'<option value="{_esc(lab)}">{_esc(lab)}</option>' for lab in q.labels)
            body.append(f'<div style="margin:0.2em 0;"><label for="{sid}">{i + 1}. '
                        f'{_esc(item)}</label> <select id="{sid}">{opts}</select></div>')
    elif q.kind == "variant":
        text = q.prompt if q.params is None else q.prompt.format(**q.params)
        return (f'<div class="labtools-quiz" style="{_BOX}"><p style="font-weight:bold;'
                f'margin:0;">{_esc(q.key)}. {_esc(text)}</p><p style="margin:0.3em 0;">'
                'This question is graded by your instructor, with numbers of your own; '
                'its answer is stored nowhere, so this page cannot check it.</p></div>')
    else:  # code: no in-page check is possible without a kernel
        body.append(f'<p style="margin:0.3em 0;"><code>{_esc(q.signature)}</code></p>'
                    '<p style="margin:0.3em 0;">This question runs your code, so it is '
                    'checked in a live notebook: launch this page in Binder or Live Code '
                    '(the rocket icon at the top), write the function in the cell below and '
                    'run the check cell.</p>')
        return head + "".join(body) + "</fieldset></form></div>"
    body.append(f'</fieldset><button type="submit" style="{_BUTTON}">Check</button>'
                f' <span id="{uid}-n" style="margin-left:0.8em;">Attempts: 0</span>'
                f'<div id="{uid}-fb" role="status" aria-live="polite" '
                f'style="{_FEEDBACK}"></div></form>')
    data = json.dumps(js_payload(q)).replace("</", "<\\/")
    script = f"<script>{SCRIPT}\nlabtoolsQuiz.attach({json.dumps(uid)}, {data});</script>"
    return head + "".join(body) + "</div>" + script


def markdown_text(text: str) -> str:
    """``text`` with the characters Markdown/MyST would interpret escaped."""
    return re.sub(r"([\\*_$<>\[\]{}#|])", r"\\\1", text)


def prompt_markdown(q: Mapping) -> str:
    """The Markdown a notebook shows for question ``q`` (a compiled bank entry).

    Examples
    --------
    >>> print(prompt_markdown({"key": "q1", "kind": "numeric", "name": "answer_q1",
    ...                        "prompt": "What is 2·λ_min?", "tol": 0.01}))
    **q1.** What is 2·λ\\_min?
    <BLANKLINE>
    *Answer:* set `answer_q1` to a number (tolerance 0.01) in the cell below and run it.
    """
    lines = [f"**{q['key']}.** {markdown_text(q['prompt'])}", ""]
    kind = q["kind"]
    if kind == "choice":
        lines += [f"- ({LETTERS[i]}) {markdown_text(o)}" for i, o in enumerate(q["options"])]
        how = ("a list of letters, e.g. `['a', 'c']` (every true statement)"
               if q["multiple"] else "one letter, e.g. `'b'`")
        lines += ["", f"*Answer:* set `{q['name']}` to {how} in the cell below and run it."]
    elif kind == "classify":
        lines += [f"{i + 1}. {markdown_text(it)}" for i, it in enumerate(q["items"])]
        labels = ", ".join(f"`'{lab}'`" for lab in q["labels"])
        lines += ["", f"*Answer:* set `{q['name']}` to a list of labels, one per item, "
                      f"from {labels}, in the cell below and run it."]
    elif kind == "numeric":
        lines.append(f"*Answer:* set `{q['name']}` to a number (tolerance {q['tol']:g}) "
                     "in the cell below and run it.")
    elif kind == "code":
        lines.append(f"*Answer:* write `{q['signature']}` in the cell below and run it.")
    else:
        practice = q["practice"]
        lines = [f"**{q['key']}.** {markdown_text(practice['prompt'])}", ""]
        if practice["kind"] == "classify":
            lines += [f"{i + 1}. {markdown_text(it)}" for i, it in enumerate(practice["items"])]
            labels = ", ".join(f"`'{lab}'`" for lab in practice["labels"])
            how = f"a list of labels, one per item, from {labels},"
        else:
            how = f"a number (tolerance {practice['tol']:g})"
        lines += ["", f"*Answer:* set `{q['name']}` to {how} in the cell below and run it. "
                      "These are public practice numbers: when your instructor's "
                      "`my_variants.json` is beside this notebook, the question shows your "
                      "own numbers when its cell runs, and those are the ones graded."]
    return "\n".join(lines)


def page_with_forms(nb: dict, questions: Mapping) -> int:
    """Swap each question's prompt cell of notebook ``nb`` for its form, for the page.

    ``nb`` is a notebook as JSON data (changed in place); ``questions`` maps a
    question key to its question (a :class:`~labtools.grading.questions.QuestionSet`).
    Each Markdown cell tagged :data:`PROMPT_TAG` becomes the question's
    self-checking form, a raw HTML block that MyST passes through to the page.
    Returns the number of cells swapped.

    Examples
    --------
    >>> from labtools.grading import load_questions
    >>> nb = {"cells": [{"cell_type": "markdown", "source": "**q1.** ...",
    ...                  "metadata": {"tags": [PROMPT_TAG], "labtools": {"question": "q1"}}}]}
    >>> page_with_forms(nb, load_questions("saddle_quiz"))
    1
    >>> src = nb["cells"][0]["source"]
    >>> src.startswith("```{raw} html") and "labtools-quiz" in src
    True
    """
    swapped = 0
    for i, cell in enumerate(nb.get("cells", [])):
        meta = cell.get("metadata", {})
        if cell.get("cell_type") != "markdown" or PROMPT_TAG not in meta.get("tags", []):
            continue
        key = meta.get("labtools", {}).get("question")
        if key not in questions:
            raise ValueError(f"cell {i + 1} is a question prompt for {key!r}, which the "
                             f"bank does not have; it has {', '.join(questions)}")
        form = questions[key].page_form()
        fence = "`" * max(3, 1 + max(map(len, re.findall("`+", form)), default=0))
        cell["source"] = f"{fence}{{raw}} html\n{form}\n{fence}\n"
        swapped += 1
    return swapped


# SHA-256 (FIPS 180-4) over UTF-8, and the same checks as the Python classes.
SCRIPT = r"""
var labtoolsQuiz = window.labtoolsQuiz || (function () {
  var K = [0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,
    0xab1c5ed5,0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,
    0xc19bf174,0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,
    0x76f988da,0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,
    0x14292967,0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,
    0x92722c85,0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,
    0x106aa070,0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,
    0x682e6ff3,0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,
    0xc67178f2];
  function sha256(text) {
    var bytes = unescape(encodeURIComponent(text)), n = bytes.length, i, j;
    var words = [], len = ((n + 9 + 63) >> 6) << 4;
    for (i = 0; i < len; i++) words[i] = 0;
    for (i = 0; i < n; i++) words[i >> 2] |= bytes.charCodeAt(i) << (24 - 8 * (i & 3));
    words[n >> 2] |= 0x80 << (24 - 8 * (n & 3));
    words[len - 1] = n * 8;
    var H = [0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,0x510e527f,0x9b05688c,0x1f83d9ab,
      0x5be0cd19], W = [];
    function r(x, k) { return (x >>> k) | (x << (32 - k)); }
    for (i = 0; i < len; i += 16) {
      var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (j = 0; j < 64; j++) {
        if (j < 16) W[j] = words[i + j] | 0;
        else W[j] = (r(W[j-2],17) ^ r(W[j-2],19) ^ (W[j-2] >>> 10)) + W[j-7] +
                    (r(W[j-15],7) ^ r(W[j-15],18) ^ (W[j-15] >>> 3)) + W[j-16] | 0;
        var t1 = h + (r(e,6) ^ r(e,11) ^ r(e,25)) + ((e & f) ^ (~e & g)) + K[j] + W[j] | 0;
        var t2 = (r(a,2) ^ r(a,13) ^ r(a,22)) + ((a & b) ^ (a & c) ^ (b & c)) | 0;
        h = g; g = f; f = e; e = d + t1 | 0; d = c; c = b; b = a; a = t1 + t2 | 0;
      }
      H[0] = H[0] + a | 0; H[1] = H[1] + b | 0; H[2] = H[2] + c | 0; H[3] = H[3] + d | 0;
      H[4] = H[4] + e | 0; H[5] = H[5] + f | 0; H[6] = H[6] + g | 0; H[7] = H[7] + h | 0;
    }
    var out = "";
    for (i = 0; i < 8; i++) out += ("00000000" + (H[i] >>> 0).toString(16)).slice(-8);
    return out;
  }
  function digest(q, answer) { return sha256(q.salt + "|" + q.qid + "|" + answer); }
  var L = "abcdefghij";
  function choice(q, chosen) {
    var i;
    if (!chosen.length) return {status: "invalid", frac: 0, msg: "Choose an option first."};
    var key = null, cand, mask;
    for (mask = 1; mask < (1 << q.n) && key === null; mask++) {
      cand = [];
      for (i = 0; i < q.n; i++) if (mask >> i & 1) cand.push(i);
      if ((q.multiple || cand.length === 1) && digest(q, cand.join(",")) === q.hash) key = cand;
    }
    if (key === null) return {status: "invalid", frac: 0, msg: "This question's key is damaged."};
    var wrong = chosen.filter(function (c) { return key.indexOf(c) < 0; });
    var hits = chosen.length - wrong.length, missed = key.length - hits;
    if (!wrong.length && !missed) return {status: "correct", frac: 1, msg: "Well done."};
    var notes = wrong.map(function (c) { return "(" + L[c] + ") " + q.hints[c]; });
    if (!q.multiple) return {status: "wrong", frac: 0, msg: notes.join("\n")};
    if (missed) notes.push(missed + " more true statement" + (missed > 1 ? "s" : "") +
      " to find: look again at the options you left out.");
    var frac = Math.max(0, (hits - wrong.length) / key.length);
    return {status: frac > 0 ? "partial" : "wrong", frac: frac, msg: notes.join("\n")};
  }
  function numeric(q, text) {
    text = text.trim();
    var x = Number(text);
    if (!text || !isFinite(x) || Math.abs(x / q.tol) > 1e15)
      return {status: "invalid", frac: 0, msg: "Type a number, e.g. 0.25 or 1e-3."};
    var b = Math.floor(x / q.tol + 0.5), d, s, m;
    function near(tag, target) {
      for (var k = -1; k <= 1; k++) if (digest(q, tag + (b + k)) === target) return true;
      return false;
    }
    if (near("", q.hash)) return {status: "correct", frac: 1, msg: "Well done."};
    for (m = 0; m < q.mistakes.length; m++)
      if (near("m", q.mistakes[m].hash)) return {status: "wrong", frac: 0, msg: q.mistakes[m].hint};
    for (d = 2; d <= q.near; d++) for (s = -1; s <= 1; s += 2)
      if (digest(q, String(b + s * d)) === q.hash)
        return {status: "partial", frac: 0.5, msg: "Close, but outside the tolerance (" +
          q.tol + "): half credit. Check your rounding and carry more digits."};
    return {status: "wrong", frac: 0, msg: q.hint};
  }
  function classify(q, chosen) {
    var right = 0, notes = [], given = 0, i, lab;
    for (i = 0; i < q.n; i++) {
      lab = chosen[i];
      if (!lab) { notes.push((i + 1) + ": no label yet."); continue; }
      given++;
      if (digest(q, i + "|" + lab) === q.hashes[i]) right++;
      else notes.push((i + 1) + ": not a " + lab + ". " + (q.labelHints[lab] || ""));
    }
    if (!given) return {status: "invalid", frac: 0, msg: "Choose a label for each item first."};
    if (right === q.n) return {status: "correct", frac: 1, msg: "Well done."};
    return {status: right ? "partial" : "wrong", frac: right / q.n,
            msg: right + " of " + q.n + " right.\n" + notes.join("\n")};
  }
  var words = {correct: "Correct", partial: "Partly right", wrong: "Not yet",
               invalid: "Cannot check yet"};
  function attach(uid, q) {
    var form = document.getElementById(uid), tries = 0;
    if (!form) return;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var res, i, picked = [], els;
      if (q.kind === "choice") {
        els = form.querySelectorAll("input[type=radio],input[type=checkbox]");
        for (i = 0; i < els.length; i++) if (els[i].checked) picked.push(+els[i].value);
        res = choice(q, picked);
      } else if (q.kind === "numeric") {
        res = numeric(q, form.querySelector("input").value);
      } else {
        els = form.querySelectorAll("select");
        for (i = 0; i < els.length; i++) picked.push(els[i].value);
        res = classify(q, picked);
      }
      if (res.status !== "invalid") tries++;
      document.getElementById(uid + "-n").textContent = "Attempts: " + tries;
      var pts = Math.round(res.frac * q.points * 100) / 100;
      document.getElementById(uid + "-fb").textContent = words[res.status] +
        (res.status === "invalid" ? "" : " (" + pts + "/" + q.points + " points)") +
        ". " + res.msg;
    });
  }
  var api = {sha256: sha256, attach: attach, choice: choice, numeric: numeric,
             classify: classify};
  window.labtoolsQuiz = api;
  return api;
})();
"""
