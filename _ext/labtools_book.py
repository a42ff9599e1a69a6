"""Sphinx extension local to this book.

1. Sets ``LABTOOLS_BUILD=1`` in the environment while the book builds. The
   kernels that execute the notebooks inherit it, so ``labtools.widgets`` knows
   it is being rendered for the static site: it then leaves out front-end-only
   pieces (mouse events) whose JavaScript a page without a kernel could not
   load, and (for widgets whose figure needs Python) adds a note that the
   controls come alive in Binder.
2. Drops inline scripts registered twice. sphinx-thebe and sphinx-togglebutton
   each add their inline set-up script twice (once with filename ``None``, once
   with ``''``), which Sphinx does not merge; a page then declares
   ``const THEBE_JS_URL`` twice and the browser reports a SyntaxError.
3. Runs the kernels with a single-threaded BLAS (see ``setup``).
5. Keeps in a page's widget state only the models its widgets show. The kernel
   that ran the notebook saved every widget it held, those a hidden cell built to
   check a number included; each of those carried its front end's module and
   backgrounds into the page, and the widget manager built them all before it
   drew the first widget (issue 13: first-load bytes, time to the first widget).
4. Turns Markdown citation links into bibliography citations. The chapters
   cite as ``[Saxe et al. (2014)](cite:t:saxe2014exact)`` (textual, like
   ``{cite:t}``) or ``[(Kingma and Ba, 2015)](cite:p:kingma2015adam)``
   (parenthetical, like ``{cite:p}``; several keys are separated by commas).
   JupyterLab shows the link text, readable author-year; jupyterlab-myst has
   no bibliography and would show a ``{cite}`` role as a bare key. The book
   replaces each link with the sphinxcontrib-bibtex citation of that style, so
   the page keeps its linked citations and tooltips. A link whose text does not
   name the first author's surname and the year of every key is a build
   warning (an error under ``-W``), so the two renderings cannot drift apart.
5. Gives each exercise page its self-checking forms. An exercise notebook shows
   every question as a Markdown prompt answered in a code cell (the one way to
   answer in a notebook, what the grader reads); as the page is read, each
   prompt cell becomes the question's form (``labtools.grading.forms``), built
   from the compiled bank in ``exercises/questions``. A prompt whose bank or
   question is missing is a build warning.
"""

import codecs
import json
import os
import re
from pathlib import Path

import latexcodec  # noqa: F401  (registers the "ulatex" codec pybtex uses)
from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

_CITE_LINK = re.compile(r"cite:(?P<style>[tp]):(?P<keys>[^\s,]+(?:,[^\s,]+)*)")


def _plain(latex):
    """``G{\\'e}rard`` -> ``Gérard``: BibTeX text as a reader sees it."""
    return codecs.decode(latex, "ulatex").replace("{", "").replace("}", "")


def _expected_words(entry):
    """The first author's surname and the year, as the link text must show them."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    words = [entry.fields.get("year", "")]
    if persons:
        words.append(_plain(" ".join(persons[0].last_names)))
    return [w for w in words if w]


def _citation_links(app, doctree):
    """Replace ``[text](cite:t:key)`` links by sphinxcontrib-bibtex citations."""
    from sphinxcontrib.bibtex.citation_target import parse_citation_targets
    from sphinxcontrib.bibtex.roles import CitationRef

    env = app.env
    domain = env.get_domain("cite")
    entries = domain.bibdata.data.entries
    for node in list(doctree.findall(addnodes.pending_xref)):
        target = node.get("reftarget", "")
        if node.get("reftype") != "myst" or not target.startswith("cite:"):
            continue
        match = _CITE_LINK.fullmatch(target)
        if match is None:
            logger.warning(
                "citation link %r: write cite:t:KEY or cite:p:KEY1,KEY2", target,
                location=node, type="labtools", subtype="citation",
            )
            continue
        text = node.astext()
        keys = match["keys"].split(",")
        for key in keys:
            if key not in entries:
                logger.warning(
                    "citation link %r: no key %r in the bibliography", target, key,
                    location=node, type="labtools", subtype="citation",
                )
                continue
            missing = [w for w in _expected_words(entries[key]) if w not in text]
            if missing:
                logger.warning(
                    "citation link text %r for %r should name %s",
                    text, key, " and ".join(repr(w) for w in missing),
                    location=node, type="labtools", subtype="citation",
                )
        cite = addnodes.pending_xref(
            text, nodes.inline(text, text), refdomain="cite",
            reftype=match["style"], reftarget=match["keys"],
            refdoc=env.docname, refexplicit=False, refwarn=True,
        )
        cite.source, cite.line = node.source, node.line
        doctree.set_id(cite)  # the bibliography's back-references point here
        domain.citation_refs.append(
            CitationRef(
                citation_ref_id=cite["ids"][0],
                docname=env.docname,
                line=node.line or 0,
                targets=list(parse_citation_targets(match["keys"])),
            )
        )
        node.replace_self(cite)


def _quiz_forms(app, docname, source):
    """Swap the question prompt cells of an exercise notebook for their forms."""
    from labtools.grading import load_questions
    from labtools.grading.forms import PROMPT_TAG, page_with_forms

    if PROMPT_TAG not in source[0] or not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    nb = json.loads(source[0])
    exercise = nb.get("metadata", {}).get("labtools", {}).get("exercise")
    bank = Path(app.srcdir) / "exercises" / "questions" / f"{exercise}.json"
    try:
        swapped = page_with_forms(nb, load_questions(exercise, path=bank))
    except (OSError, ValueError) as err:
        logger.warning("question forms of %s: %s", docname, err, location=docname,
                       type="labtools", subtype="quiz")
        return
    if swapped:
        source[0] = json.dumps(nb)


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for js in context.get("script_files", []):
        attrs = getattr(js, "attributes", {}) or {}
        key = (
            getattr(js, "filename", str(js)) or "",
            tuple(sorted((k, str(v)) for k, v in attrs.items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(js)
    context["script_files"] = unique


_STATE_MIME = "application/vnd.jupyter.widget-state+json"
_VIEW = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>',
                   re.DOTALL)
_REF = re.compile(r"IPY_MODEL_([0-9a-f]{32})")


def shown_models(state, roots):
    """The ids of the models of ``state`` (model id -> saved model) that the views
    of ``roots`` need: the roots and every model they name (``IPY_MODEL_<id>``),
    transitively. A model no shown widget names is never built in the page.

    >>> s = {"a": {"state": {"children": ["IPY_MODEL_" + "b" * 32]}},
    ...      "b" * 32: {"state": {"layout": "IPY_MODEL_" + "c" * 32}},
    ...      "c" * 32: {"state": {}}, "d": {"state": {}}}
    >>> sorted(m[:1] for m in shown_models(s, ["a"]))
    ['a', 'b', 'c']
    """
    seen, todo = set(), list(roots)
    while todo:
        mid = todo.pop()
        if mid in seen or mid not in state:
            continue
        seen.add(mid)
        todo.extend(_REF.findall(json.dumps(state[mid].get("state", {}))))
    return seen


def _prune_widget_state(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files", [])
    body = context.get("body", "")
    for i, js in enumerate(scripts):
        attrs = getattr(js, "attributes", None) or {}
        if attrs.get("type") != _STATE_MIME or "body" not in attrs:
            continue
        data = json.loads(attrs["body"].replace("<\\/script>", "</script>"))
        roots = [json.loads(v).get("model_id") for v in _VIEW.findall(body)]
        keep = shown_models(data["state"], roots)
        dropped = len(data["state"]) - len(keep)
        if not dropped:
            continue
        data["state"] = {k: v for k, v in data["state"].items() if k in keep}
        text = json.dumps(data).replace("</script>", "<\\/script>")
        scripts[i] = type(js)(js.filename, priority=js.priority, **{**attrs, "body": text})
        logger.info(f"{pagename}: widget state keeps {len(keep)} models, drops {dropped} "
                    "that no widget of the page shows")


def setup(app):
    os.environ["LABTOOLS_BUILD"] = "1"
    # The notebooks do small eigen- and SVD problems; on a busy 2-core machine a
    # multi-threaded BLAS makes them seconds instead of milliseconds.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    app.connect("html-page-context", _prune_widget_state, priority=901)
    app.connect("doctree-read", _citation_links)
    app.connect("source-read", _quiz_forms)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
