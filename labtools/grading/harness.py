"""The code the grader sends into a learner's kernel, and the grader's copy of it.

``HARNESS`` is kept as source so that every request gives the kernel a pristine
copy, run in fresh globals (``WRAPPER``): a learner's ``list = [...]`` or
``json = 3`` cannot break it. The same source is executed here, so
``plain`` and ``run_cases`` are the very functions the kernel runs
(the in-notebook self-check calls them too).
"""

from __future__ import annotations

__all__ = ["HARNESS", "REQUEST", "WRAPPER", "plain", "run_cases"]


HARNESS = r'''
def _plain(value, depth=0):
    """Convert a student's value to JSON-ready data, with size limits."""
    import numbers as _numbers
    import numpy as _np
    if depth > 4:
        return {"__repr__": "(nested too deeply)"}
    if value is None or isinstance(value, (bool, str)):
        return value[:500] if isinstance(value, str) else value
    if isinstance(value, _np.ndarray):
        if value.size > 100000:
            return {"__repr__": f"array of {value.size} elements (too large)"}
        if value.dtype.kind in "biuf":
            return _plain(value.astype(float).tolist(), depth + 1)
        return _plain(value.tolist(), depth + 1)
    if isinstance(value, _np.generic):
        return _plain(value.item(), depth + 1)
    if isinstance(value, _numbers.Integral):
        return int(value)
    if isinstance(value, _numbers.Real):
        x = float(value)
        return x if x == x and abs(x) != float("inf") else {"__float__": repr(x)}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        if len(items) > 100000:
            return {"__repr__": "sequence too long"}
        return [_plain(v, depth + 1) for v in items]
    if isinstance(value, dict):
        return {"__dict__": [[_plain(k, depth + 1), _plain(v, depth + 1)]
                             for k, v in list(value.items())[:1000]]}
    if callable(value):
        return {"__callable__": True}
    return {"__repr__": repr(value)[:200]}


def run_cases(fn, cases, array_args):
    """Call fn on every case; return [{"ok": value} | {"error": text}]."""
    import numpy as _np
    outputs = []
    for args in cases:
        call = [_np.array(a, dtype=float) if i in array_args else a
                for i, a in enumerate(args)]
        try:
            outputs.append({"ok": _plain(fn(*call))})
        except (Exception, SystemExit) as err:
            outputs.append({"error": f"{type(err).__name__}: {err}"[:300]})
    return outputs
'''

_harness_ns: dict = {}
exec(compile(HARNESS, "<labtools.grade harness>", "exec"), _harness_ns)
plain = _harness_ns["_plain"]
run_cases = _harness_ns["run_cases"]

REQUEST = r'''
import json as _json, sys as _sys
from IPython import get_ipython as _gi
_REQ = _json.loads(%r)
_ns = _gi().user_ns
if _REQ["name"] not in _ns:
    _out = {"missing": True}
elif _REQ["what"] == "value":
    _out = {"value": _plain(_ns[_REQ["name"]])}
elif not callable(_ns[_REQ["name"]]):
    _out = {"value": _plain(_ns[_REQ["name"]]), "not_callable": True}
else:
    _out = {"outputs": run_cases(_ns[_REQ["name"]], _REQ["cases"], _REQ["array_args"])}
_sys.stdout.write("\n" + _REQ["nonce"] + _json.dumps(_out) + "\n")
_sys.stdout.flush()
'''

# Run with fresh globals so a student's `list = [...]`, `json = 3` or even
# `exec = print` cannot break the request: the import statement reaches the
# builtins module through the interpreter, not through the student's names.
# Only deliberate sabotage of the interpreter itself can interfere, and that
# can do no more than make the grader read a different claimed answer.
WRAPPER = ("import builtins as _labtools_grader_builtins\n"
            "_labtools_grader_builtins.exec(_labtools_grader_builtins.compile("
            "%r, '<labtools-grader>', 'exec'), "
            "{'__builtins__': _labtools_grader_builtins, '__name__': 'labtools_grader'})")
