"""The hook reference, ``docs/hooks.md``, generated from :mod:`core.hookspecs`.

The hookspec docstrings are the contract; this module turns them into Markdown
(datasette's habit: one section per hook, its signature, whether it is ``firstresult``,
what it is for, an example) and appends the value types of :mod:`core.contract`.

    python -m core.docs            # write docs/hooks.md
    python -m core.docs --check    # exit 1 when docs/hooks.md is not what render() gives

The output depends only on the source, never on the time or the machine, so the check
can run in CI; ``tests/test_docs.py`` runs it and :func:`undocumented_hooks`.
"""
from __future__ import annotations

import argparse
import dataclasses
import difflib
import inspect
import io
import re
import sys
import textwrap
import tokenize
from pathlib import Path
from types import ModuleType
from typing import Sequence

PROJECT = "opengjj"
SPEC_ATTR = f"{PROJECT}_spec"
HOOK_PREFIX = f"{PROJECT}_"
REPO = Path(__file__).resolve().parent.parent
HOOKS_MD = REPO / "docs" / "hooks.md"
REGENERATE = "python -m core.docs"

#: What every hookspec docstring must say: when it is called, what it returns, and
#: whether it is firstresult (DESIGN.md, "Centres, plugins and hooks").
REQUIRED_WORDS = ("Called", "Return", "firstresult")


# -- finding hookspecs --------------------------------------------------------------------

def _hookspecs_module() -> ModuleType:
    from core import hookspecs

    return hookspecs


def hookspec_functions(module: ModuleType | None = None) -> list:
    """The hookspecs of ``module`` (default :mod:`core.hookspecs`), in source order.

    A hookspec is a function named ``opengjj_*`` carrying pluggy's ``opengjj_spec``
    marker (set by ``HookspecMarker("opengjj")``).
    """
    module = module if module is not None else _hookspecs_module()
    found = [value for name, value in vars(module).items()
             if name.startswith(HOOK_PREFIX) and callable(value) and hasattr(value, SPEC_ATTR)]
    # Definition order; the line number decides should a module's namespace be built
    # in another order (a fake module in a test).
    return sorted(found, key=lambda f: getattr(getattr(f, "__code__", None), "co_firstlineno", 0))


def spec_options(func) -> dict:
    return dict(getattr(func, SPEC_ATTR) or {})


def missing_words(func, words: Sequence[str] = REQUIRED_WORDS) -> list[str]:
    """The ``words`` the hookspec's docstring does not contain (all of them without one)."""
    doc = inspect.getdoc(func) if func.__doc__ else None
    if not doc:
        return list(words)
    return [word for word in words if not re.search(r"\b" + re.escape(word), doc)]


def undocumented_hooks(module: ModuleType | None = None, words: Sequence[str] = REQUIRED_WORDS) -> list[str]:
    """Names of the hookspecs whose docstring is missing or incomplete.

    Complete means it says when the hook is ``Called``, what it returns (``Return``) and
    whether it is ``firstresult`` (a collected hook says "not firstresult").
    ``module`` defaults to :mod:`core.hookspecs`.
    """
    return [func.__name__ for func in hookspec_functions(module) if missing_words(func, words)]


# -- docstrings to Markdown ---------------------------------------------------------------

_ROLE_RE = re.compile(r":(?:py:)?(?P<role>[a-z]+):`(?P<target>[^`]+)`")
_LITERAL_RE = re.compile(r"``(?P<text>[^`]+?)``")


def _anchor(name: str) -> str:
    return name.lower().replace(".", "-").replace("_", "-")


def _role(match: re.Match, hook_names: set[str], type_names: set[str]) -> str:
    target = match.group("target").strip()
    title = None
    explicit = re.fullmatch(r"(?P<title>.+?)\s*<(?P<target>[^>]+)>", target)
    if explicit:  # :class:`title <target>`
        title, target = explicit.group("title"), explicit.group("target")
    short = target.startswith("~")  # :class:`~core.contract.Theme` shows "Theme"
    target = target.lstrip("~")
    shown = title or (target.split(".")[-1] if short else target)
    name = target.split(".")[-1]
    if target in hook_names:
        return f"[`{shown}`](#{_anchor(target)})"
    if target.startswith("core.contract.") and name in type_names:
        return f"[`{shown}`](#{_anchor(name)})"
    return f"`{shown}`"


def _inline(text: str, hook_names: set[str], type_names: set[str]) -> str:
    text = _ROLE_RE.sub(lambda m: _role(m, hook_names, type_names), text)
    return _LITERAL_RE.sub(lambda m: f"`{m.group('text')}`", text)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def docstring_markdown(doc: str, hook_names: Sequence[str] = (), type_names: Sequence[str] = ()) -> str:
    """Render a reST-ish docstring as Markdown.

    ``text::`` followed by an indented block becomes ``text:`` and a fenced ``python``
    block; roles such as ``:class:`core.contract.Theme``` become code spans (linked when
    they name a hook or a contract type of this reference), and double-backquoted
    literals become single-backquoted code spans.
    """
    hooks, types = set(hook_names), set(type_names)
    lines = inspect.cleandoc(doc).splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.rstrip()
        if stripped.endswith("::"):
            lead = stripped[:-2].rstrip()
            base = _indent(line)
            if lead.strip():
                out.append(_inline(lead + ("" if stripped[:-2].endswith(" ") else ":"), hooks, types))
            i += 1
            block: list[str] = []
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > base):
                block.append(lines[i])
                i += 1
            while block and not block[0].strip():
                block.pop(0)
            while block and not block[-1].strip():
                block.pop()
            if block:
                if out and out[-1].strip():
                    out.append("")
                out.append("```python")
                depth = min(_indent(b) for b in block if b.strip())
                out.extend(b[depth:].rstrip() for b in block)
                out.append("```")
                if i < len(lines):
                    out.append("")
            continue
        out.append(_inline(stripped, hooks, types))
        i += 1
    return "\n".join(out).strip() + "\n"


# -- the reference ------------------------------------------------------------------------

INTRO = """\
# Hook reference

<!-- Generated by `python -m core.docs` from core/hookspecs.py and core/contract.py.
     Do not edit by hand: change the docstrings and run `python -m core.docs`. -->

A **hook** is a named question core asks every plugin a centre has enabled: which
login methods there are, which business items the centre offers, what its deposit
policy is for a fund year, what its hall looks like. A plugin answers by defining a
function with the hook's name, marked as a hook implementation:

```python
from core.hookspecs import hookimpl


@hookimpl
def opengjj_theme(centre):
    ...
```

An implementation may take only the arguments it needs, in any order, by name. Every
hook gets `centre` (a `core.centres.Centre`), so a plugin can tell which centre of a
shared process is asking and read that centre's own settings (`centre.setting(key)`).

A plugin is a module (or package) that an installed distribution registers in the
**`opengjj` entry-point group**; a centre enables it by name in `config/<centre>.ini`
(`city = ...`, `plugins = ...`). See the [plugin author guide](plugin-guide.md) for a
complete example.

Two kinds of hooks:

- **Collected** hooks call every implementation and gather the results. Core merges
  them and sorts them by an explicit key (given in each hook's description), so the
  order plugins are registered in never matters. Where two plugins contradict each
  other (the same code declared twice, two overrides of one field), the centre refuses
  to start and names the problem.
- **firstresult** hooks stop at the first implementation that returns something other
  than `None`. Core's own default implementation is registered `trylast`, so any
  plugin that answers wins over it; return `None` to have no opinion.

Each centre has its own plugin manager; `gjj plugins` lists what is registered for
each centre and which hooks each plugin implements, and `OPENGJJ_TRACE_HOOKS=1` traces
every hook call on standard error.
"""


def _first_line(doc: str | None) -> str:
    return inspect.cleandoc(doc).splitlines()[0].strip() if doc and doc.strip() else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _kind(options: dict) -> str:
    if options.get("firstresult"):
        return "firstresult"
    return "collected"


def _kind_sentence(options: dict) -> str:
    if options.get("firstresult"):
        sentence = ("**firstresult**: stops at the first non-`None` result; core's default "
                    "implementation, if any, is `trylast`.")
    else:
        sentence = "**Collected** (not firstresult): every implementation is called and the results are gathered."
    if options.get("historic"):
        sentence += " **Historic**: implementations registered later are called with the recorded calls."
    return sentence


def _contract_types() -> list[type]:
    from core import contract

    classes = [value for name, value in vars(contract).items()
               if inspect.isclass(value) and dataclasses.is_dataclass(value)
               and value.__module__ == contract.__name__ and not name.startswith("_")]
    return sorted(classes, key=lambda cls: inspect.getsourcelines(cls)[1])


def _class_doc(cls: type) -> str:
    doc = cls.__dict__.get("__doc__") or ""
    if doc.startswith(f"{cls.__name__}("):  # the signature dataclasses write when there is none
        return ""
    return _first_line(doc)


def _field_comments(cls: type) -> dict[str, str]:
    """``#:`` comments above a field and ``#`` comments after it, from the class source."""
    source, _ = inspect.getsourcelines(cls)
    text = "".join(source)
    comments: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string
    lines = text.splitlines()
    names = {field.name for field in dataclasses.fields(cls)}
    found: dict[str, str] = {}
    seen: set[str] = set()
    field_re = re.compile(r"^\s+(?P<name>[A-Za-z_]\w*)\s*:")
    for number, line in enumerate(lines, start=1):
        match = field_re.match(line)
        if not match or match.group("name") not in names or match.group("name") in seen:
            continue
        seen.add(match.group("name"))
        notes: list[str] = []
        above = number - 1
        block: list[str] = []
        while above in comments and lines[above - 1].lstrip().startswith("#:"):
            block.insert(0, comments[above][2:].strip())
            above -= 1
        notes.extend(block)
        inline = comments.get(number)
        if inline:
            notes.append(inline.lstrip("#:").strip())
        if notes:
            found[match.group("name")] = " ".join(notes)
    return found


def _default(field: dataclasses.Field) -> str | None:
    if field.default is not dataclasses.MISSING:
        return repr(field.default)
    if field.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        factory = field.default_factory  # type: ignore[misc]
        return f"{getattr(factory, '__name__', repr(factory))}()"
    return None


def _type_text(field: dataclasses.Field) -> str:
    kind = field.type
    return kind if isinstance(kind, str) else getattr(kind, "__name__", repr(kind))


def _public_methods(cls: type) -> list[tuple[str, str]]:
    rows = []
    for name, value in cls.__dict__.items():
        if name.startswith("_"):
            continue
        if isinstance(value, property):
            rows.append((f"{name}", _first_line(value.fget.__doc__) if value.fget else ""))
        elif inspect.isfunction(value):
            params = list(inspect.signature(value).parameters)[1:]
            rows.append((f"{name}({', '.join(params)})", _first_line(value.__doc__)))
    return rows


def _types_section(hook_names: set[str], type_names: set[str]) -> list[str]:
    from core import contract

    out = [
        "## Value types",
        "",
        "The values hooks receive and return, from `core.contract`: frozen dataclasses a plugin",
        "builds without touching the database or the web layer. Money is always `Decimal`.",
        "",
        "```python",
        *textwrap.wrap("from core.contract import (" + ", ".join(sorted(type_names)) + ")",
                       width=88, subsequent_indent="    ", break_on_hyphens=False),
        "```",
        "",
    ]
    for cls in _contract_types():
        out += [f'<a id="{_anchor(cls.__name__)}"></a>', "", f"### `{cls.__name__}`", ""]
        doc = _class_doc(cls)
        if doc:
            out += [_inline(doc, hook_names, type_names), ""]
        comments = _field_comments(cls)
        for field in dataclasses.fields(cls):
            text = f"{field.name}: {_type_text(field)}"
            default = _default(field)
            if default is not None:
                text += f" = {default}"
            line = f"- `{text}`"
            if field.name in comments:
                line += f" — {_inline(comments[field.name], hook_names, type_names)}"
            out.append(line)
        methods = _public_methods(cls)
        if methods:
            out += ["", "Methods and properties:", ""]
            for signature, doc in methods:
                out.append(f"- `{signature}`" + (f" — {_inline(doc, hook_names, type_names)}" if doc else ""))
        out.append("")
    out += [
        "### Rounding modes",
        "",
        "`DepositPolicy.rounding` is one of these (`core.contract.ROUNDING_MODES`);",
        "`core.contract.round_money(amount, mode)` applies one and keeps two decimals.",
        "",
        "| Mode | 含义 |",
        "| --- | --- |",
    ]
    out += [f"| `{mode}` | {_cell(label)} |" for mode, (_, _, label) in contract.ROUNDING_MODES.items()]
    out.append("")
    return out


def render() -> str:
    """The Markdown of docs/hooks.md, deterministic for a given source tree."""
    specs = hookspec_functions()
    hook_names = {func.__name__ for func in specs}
    type_names = {cls.__name__ for cls in _contract_types()}
    out = [INTRO, "## Hooks", "", "| Hook | Kind | Purpose |", "| --- | --- | --- |"]
    for func in specs:
        out.append(f"| [`{func.__name__}`](#{_anchor(func.__name__)}) | {_kind(spec_options(func))} "
                   f"| {_cell(_inline(_first_line(func.__doc__), hook_names, type_names))} |")
    out.append("")
    for func in specs:
        name = func.__name__
        out += [
            f'<a id="{_anchor(name)}"></a>',
            "",
            f"### `{name}{inspect.signature(func)}`",
            "",
            _kind_sentence(spec_options(func)),
            "",
        ]
        if func.__doc__ and func.__doc__.strip():
            out.append(docstring_markdown(func.__doc__, sorted(hook_names), sorted(type_names)))
        else:
            out += ["*Undocumented.*", ""]
    out += _types_section(hook_names, type_names)
    return "\n".join(out).rstrip("\n") + "\n"


# -- command line -------------------------------------------------------------------------

def check(path: Path = HOOKS_MD, out=None) -> bool:
    """True when ``path`` holds exactly :func:`render`'s output; else say why on ``out`` (stderr)."""
    out = out if out is not None else sys.stderr
    expected = render()
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        print(f"{path} does not exist: run `{REGENERATE}` to generate it.", file=out)
        return False
    if current == expected:
        return True
    diff = list(difflib.unified_diff(current.splitlines(), expected.splitlines(),
                                     f"{path} (current)", f"{path} (from the hookspecs)", lineterm="", n=1))
    print(f"{path} is stale: it does not match core/hookspecs.py and core/contract.py. "
          f"Run `{REGENERATE}` and commit the result.", file=out)
    shown = diff[:40]
    print("\n".join(shown) + ("\n..." if len(diff) > len(shown) else ""), file=out)
    return False


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.docs",
                                     description="Generate the hook reference (docs/hooks.md).")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is not up to date")
    parser.add_argument("-o", "--output", type=Path, default=HOOKS_MD, help=f"default: {HOOKS_MD}")
    args = parser.parse_args(argv)
    if args.check:
        return 0 if check(args.output) else 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="\n") as file:
        file.write(render())
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
