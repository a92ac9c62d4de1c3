"""Every phrase the gateway writes as an audit entry's "what" or "why" has words in English and Welsh
(shared/words.py's `audit_what` and `audit_why`), so that "who looked" reads wholly in its reader's language.

The phrases are found by reading the code, not from a list that could fall behind: each value given to an audit
entry (a dict's "what" and "why" written by `.audit({...})`), followed back through every function that passes its
parameter on (`access.audit`, `handlers._audit`, `pages.call`'s `what=`, `signed_in`'s `refusal=`...), and through
what carries one as an attribute (`Step.what`, `Actor.why`, `SignInRefused.reason`). An f-string is expanded with
the values its placeholders can take (EXPANSIONS); a value the walk cannot tell fails the test, naming where it is.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from shared import words

from services.gateway import complaints_api, domain
from services.gateway.web import pages

ROOT = Path(__file__).resolve().parents[3]
PARTS = ("what", "why")
CARRIERS = {"Step": ("what", 5, "what"), "Actor": ("why", 2, "why"), "SignInRefused": ("reason", 0, "why")}
"""Classes that carry a phrase to an audit entry as an attribute: the attribute (the parameter that gives it, and
its place) and which part of the entry it is written as."""
EXPANSIONS = {
    "period": ("quarterly", "annual"),
    "step": tuple(complaints_api.STEPS),
    "principal.role": domain.ROLES,
    "g.principal.role": domain.ROLES,
    "g.principal.role or g.principal.kind": (*domain.ROLES, pages.PUBLIC.kind),
}
"""The values each f-string placeholder can take, by its source text."""


@dataclass
class Found:
    phrases: dict[str, dict[str, str]] = field(default_factory=lambda: {part: {} for part in PARTS})
    """For "what" and "why": each phrase and the first place it is written."""
    untold: list[str] = field(default_factory=list)
    """Where a value is given that the walk cannot tell the phrases of."""


def audit_phrases(root: Path) -> Found:
    """Every phrase the code under `root`/services/gateway can write as an audit entry's what and why."""
    walk = _Walk({path.relative_to(root).as_posix(): ast.parse(path.read_text(), str(path))
                  for path in sorted((root / "services" / "gateway").rglob("*.py"))})
    while True:  # again, until no more functions are found passing a parameter on
        found = walk.once()
        if not walk.more:
            return found
        for key, params in walk.more.items():
            walk.passes_on[key] = {**walk.passes_on.get(key, {}), **params}


class _Walk:
    """One reading of the modules, told which functions pass which parameters on by the readings before it."""

    def __init__(self, modules: dict[str, ast.Module]):
        self.modules = modules
        self.functions: dict[str, list[tuple[str, ast.FunctionDef]]] = {}
        """Every function (not method) by its name: (its module, its definition)."""
        for module, tree in modules.items():
            methods = {id(node) for cls in ast.walk(tree) if isinstance(cls, ast.ClassDef) for node in cls.body}
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef) and id(node) not in methods:
                    self.functions.setdefault(node.name, []).append((module, node))
        self.passes_on: dict[tuple[str, str], dict[str, str]] = {}
        """The functions known to pass a parameter on to an audit entry: (module, name) -> {parameter: part}."""
        self.more: dict[tuple[str, str], dict[str, str]] = {}

    def once(self) -> Found:
        self.found, self.more = Found(), {}
        for module, tree in self.modules.items():
            self._visit(tree, module, [])
        self.more = {key: params for key, params in self.more.items()
                     if not self.passes_on.get(key, {}).items() >= params.items()}
        return self.found

    def _visit(self, node: ast.AST, module: str, scopes: list[ast.FunctionDef]) -> None:
        if isinstance(node, ast.FunctionDef):
            scopes = [*scopes, node]
        if isinstance(node, ast.Call):
            for part, value in self._given(node, module):
                self._tell(value, part, module, scopes)
        for child in ast.iter_child_nodes(node):
            self._visit(child, module, scopes)

    def _called(self, call: ast.Call, module: str) -> tuple[str | None, list[tuple[str, ast.FunctionDef]]]:
        """The name a call calls, and the functions it may be (those of its own module first)."""
        name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
        candidates = self.functions.get(name, [])
        return name, [c for c in candidates if c[0] == module] or candidates

    def _given(self, call: ast.Call, module: str) -> list[tuple[str, ast.expr]]:
        """The values this call gives as an audit entry's what or why: (which, the value's expression)."""
        name, candidates = self._called(call, module)
        if name == "audit" and len(call.args) == 1 and isinstance(call.args[0], ast.Dict):
            entry = call.args[0]
            return [(key.value, value) for key, value in zip(entry.keys, entry.values)
                    if isinstance(key, ast.Constant) and key.value in PARTS]
        if name in CARRIERS:
            attribute, place, part = CARRIERS[name]
            return [(part, value) for value in call.args[place:place + 1]
                    + [keyword.value for keyword in call.keywords if keyword.arg == attribute]]
        given = []
        for defined_in, function in candidates:
            params = self.passes_on.get((defined_in, function.name), {})
            positional = [arg.arg for arg in (*function.args.posonlyargs, *function.args.args)]
            given += [(params[positional[place]], value) for place, value in enumerate(call.args)
                      if place < len(positional) and positional[place] in params]
            given += [(params[keyword.arg], keyword.value) for keyword in call.keywords if keyword.arg in params]
        return given

    def _tell(self, value: ast.expr, part: str, module: str, scopes: list[ast.FunctionDef]) -> None:
        """Put the phrases `value` can be in the found (or where it is among the untold); a parameter of an
        enclosing function passes the part on to that function's callers."""
        where, source = f"{module}:{value.lineno}", ast.unparse(value)
        phrases = self.found.phrases[part]
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            phrases.setdefault(value.value, where)
        elif source in EXPANSIONS:
            for phrase in EXPANSIONS[source]:
                phrases.setdefault(phrase, where)
        elif isinstance(value, ast.JoinedStr):
            expanded = _expanded(value)
            if None in expanded:
                self.found.untold.append(f"{where} {source}: say in EXPANSIONS what its placeholders can be")
            for phrase in filter(None, expanded):
                phrases.setdefault(phrase, where)
        elif isinstance(value, ast.IfExp):
            for branch in (value.body, value.orelse):
                self._tell(branch, part, module, scopes)
        elif isinstance(value, ast.Attribute) and (value.attr, part) in {(a, p) for a, _, p in CARRIERS.values()}:
            pass  # carried by a Step, an Actor or a refused sign-in: told where that is made
        elif isinstance(value, ast.Name):
            self._tell_name(value, part, module, scopes)
        elif isinstance(value, ast.Call) and not value.args and self._called(value, module)[1]:
            for defined_in, function in self._called(value, module)[1]:  # what a function answers, e.g. purpose()
                for answer in ast.walk(function):
                    if isinstance(answer, ast.Return) and answer.value is not None:
                        self._tell(answer.value, part, defined_in, [function])
        else:
            self.found.untold.append(f"{where} {source}")

    def _tell_name(self, value: ast.Name, part: str, module: str, scopes: list[ast.FunctionDef]) -> None:
        for depth in range(len(scopes), -1, -1):  # the innermost function's own names first, the module's last
            scope = scopes[depth - 1] if depth else self.modules[module]
            assigned = [node.value for node in (ast.walk(scope) if depth else scope.body)
                        if isinstance(node, ast.Assign) and any(isinstance(target, ast.Name)
                                                                 and target.id == value.id for target in node.targets)]
            for each in assigned:
                self._tell(each, part, module, scopes[:depth])
            if assigned:
                return
            if depth and value.id in _params(scope):
                self.more.setdefault((module, scope.name), {})[value.id] = part
                return
        self.found.untold.append(f"{module}:{value.lineno} {value.id}")


def _params(function: ast.FunctionDef) -> list[str]:
    return [arg.arg for arg in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)]


def _expanded(value: ast.JoinedStr) -> list[str | None]:
    """Every phrase an f-string can be, with the values EXPANSIONS gives its placeholders (None: one it has none
    for)."""
    phrases = [""]
    for piece in value.values:
        if isinstance(piece, ast.Constant):
            phrases = [phrase + piece.value for phrase in phrases]
            continue
        placeholder = ast.unparse(piece.value)
        if placeholder not in EXPANSIONS or piece.format_spec is not None or piece.conversion != -1:
            return [None]
        phrases = [phrase + each for phrase in phrases for each in EXPANSIONS[placeholder]]
    return phrases


def test_the_walk_finds_the_phrases_however_they_are_given():
    found = audit_phrases(ROOT).phrases
    for what in ("sign in", "read referral in a list", "create referral", "answer complaint", "who looked refused",
                 "read quarterly report", "escalate complaint", "deactivate staff account", "place legal hold",
                 "open case", "subject access export released", "create staff account", "record message"):
        assert what in found["what"], what
    for why in ("council integration", "provider staff (manager)", "web forms (advocate)", "web forms (public)",
                "web forms (subject access)", "web forms (who looked)", "command line", "reset link", "locked"):
        assert why in found["why"], why


def test_every_audit_phrase_has_words_in_english_and_welsh():
    found = audit_phrases(ROOT)
    assert not found.untold, f"audit phrases the check cannot tell (give them as text): {found.untold}"
    missing = []
    for part in PARTS:
        for phrase, where in sorted(found.phrases[part].items()):
            try:
                english, welsh = words.of(f"audit_{part}", phrase, "en"), words.of(f"audit_{part}", phrase, "cy")
            except words.UnknownCode:
                missing.append(f"{part} {phrase!r} ({where})")
                continue
            if not english.strip() or not welsh.strip() or english == welsh:
                missing.append(f"{part} {phrase!r}: {english!r} / {welsh!r}")
    assert not missing, f"give these audit phrases their words in shared/words.py: {missing}"


def test_the_walk_catches_a_phrase_without_words_or_one_it_cannot_tell(tmp_path):
    gateway = tmp_path / "services" / "gateway"
    gateway.mkdir(parents=True)
    (gateway / "access.py").write_text(
        "def audit(what, record_id, status, why):\n"
        "    store().audit({'what': what, 'why': why, 'status': status})\n")
    (gateway / "api.py").write_text(
        "from access import audit\n"
        "def _command(path, what, record_id):\n"
        "    audit(what, record_id, 200, purpose())\n"
        "def read_thing(thing_id):\n"
        "    audit('read thing', thing_id, 200, 'web forms (manager)')\n"
        "    _command('/things', 'peek at thing' if thing_id else 'list things', None)\n"
        "    audit(f'read {period} report', None, 200, f'web forms ({colour})')\n")
    found = audit_phrases(tmp_path)
    assert found.phrases["what"].keys() == {"read thing", "peek at thing", "list things", "read quarterly report",
                                            "read annual report"}
    assert found.phrases["why"].keys() == {"web forms (manager)"}
    assert [where.split(" ")[0] for where in found.untold] == ["services/gateway/api.py:3",
                                                              "services/gateway/api.py:7"]
