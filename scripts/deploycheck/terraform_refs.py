"""Every reference of the Terraform code resolves, in the folder it is written in:
`<type>.<name>` (resource), `data.<type>.<name>`, `module.<name>`, `var.<name>`,
`local.<name>`, provider aliases; `module.<name>.<output>` names an output of that module;
a module call passes only variables the module declares, and every variable it requires.
(terraform validate would say so, but it needs the AWS provider, which cannot be
downloaded here.)"""
import pathlib
import re

from .common import finish, load_hcl, q

META = {"source", "version", "providers", "count", "for_each", "depends_on"}
BUILTIN_ROOTS = {"count", "each", "self", "path", "terraform"}
ID = r"[A-Za-z_][A-Za-z0-9_]*"
REF = re.compile(rf"(?<![\w.\])])({ID})((?:\.{ID})+)")
FOR = re.compile(rf"\bfor\s+({ID})(?:\s*,\s*({ID}))?\s+in\b")


# python-hcl2 renders an expression as "${...}" and a string as its quoted text: keep
# the code of expressions and of `${...}` interpolations, drop literal text.
def interp(text, i):
    """text[i:] follows a `${`: (its code, the index after the closing brace)."""
    depth, code = 0, []
    while i < len(text):
        c = text[i]
        if c == '"':
            inner, i = string(text, i)
            code.append(f" {inner} ")
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return "".join(code), i + 1
            depth -= 1
        code.append(c)
        i += 1
    raise ValueError(f"unterminated ${{ in {text[:60]!r}")
def interpolations(text, i, quoted):
    """The code of the `${...}` interpolations from text[i]: up to the closing quote of a
    string literal when `quoted` (escapes skipped), else to the end. (code, index after)."""
    parts = []
    while i < len(text):
        if quoted and text[i] == "\\":
            i += 2
        elif quoted and text[i] == '"':
            return " ; ".join(parts), i + 1
        elif text.startswith("$${", i):
            i += 3
        elif text.startswith("${", i):
            code, i = interp(text, i + 2)
            parts.append(code)
        else:
            i += 1
    if quoted:
        raise ValueError(f"unterminated string in {text[:60]!r}")
    return " ; ".join(parts), i
def string(text, i):
    """text[i] opens a string literal: (the code of its interpolations, the index after it)."""
    return interpolations(text, i + 1, True)
def code_of(value):
    """The code in one rendered value (an expression, a template or a heredoc)."""
    return interpolations(value, 0, False)[0]

def load(folder):
    decl = {"resource": set(), "data": set(), "module": {}, "variable": {}, "local": set(),
            "output": set(), "providers": set(), "aliases": set(), "files": {}}
    for f in sorted(folder.glob("*.tf")):
        d = load_hcl(f)
        decl["files"][f.name] = d
        for kind in ("resource", "data"):
            for block in d.get(kind, []):
                for t, named in block.items():
                    decl[kind] |= {f"{q(t)}.{q(n)}" for n in named if not n.startswith("__")}
        for block in d.get("module", []):
            decl["module"].update({q(n): b for n, b in block.items() if not n.startswith("__")})
        for block in d.get("variable", []):
            decl["variable"].update({q(n): "default" in b for n, b in block.items() if not n.startswith("__")})
        for block in d.get("locals", []):
            decl["local"] |= {n for n in block if not n.startswith("__")}
        for block in d.get("output", []):
            decl["output"] |= {q(n) for n in block if not n.startswith("__")}
        for block in d.get("provider", []):
            for n, b in block.items():
                decl["providers"].add(q(n))
                if "alias" in b:
                    decl["aliases"].add(f"{q(n)}.{q(b['alias'])}")
        for block in d.get("terraform", []):
            for rp in block.get("required_providers", []):
                for n, spec in rp.items():
                    if n.startswith("__"):
                        continue
                    decl["providers"].add(n)
                    for a in (spec.get("configuration_aliases", []) if isinstance(spec, dict) else []):
                        decl["aliases"].add(code_of(a).strip())
    return decl



def check(root):
    """(errors, folders, references, module calls) of the Terraform folder `root`."""
    root = pathlib.Path(root)
    folders = sorted({f.parent for f in root.rglob("*.tf") if ".terraform" not in f.parts})
    errors, refs, calls = [], 0, 0
    cache = {}
    def decl_of(folder):
        folder = folder.resolve()
        if folder not in cache:
            cache[folder] = load(folder)
        return cache[folder]

    for folder in folders:
        decl = decl_of(folder)
        where = folder.relative_to(root)
        raw = " ".join(p.read_text() for p in folder.glob("*.tf"))
        # Iterators of dynamic blocks (their label, or `iterator = x`).
        dynamic = set(re.findall(r'dynamic\s+"(\w+)"', raw)) | set(re.findall(r"\biterator\s*=\s*(\w+)", raw))
        children = {}
        for name, body in decl["module"].items():
            src = q(body.get("source", ""))
            if src.startswith(("./", "../")):
                child = folder / src
                if not child.is_dir():
                    errors.append(f"{where}: module {name}: source {src} is not a folder")
                else:
                    children[name] = decl_of(child)

        def check_ref(fname, root_, tail, iterators):
            nonlocal refs
            text = root_ + "".join("." + t for t in tail)
            if root_ in BUILTIN_ROOTS or root_ in iterators or root_ in dynamic:
                return
            refs += 1
            bad = None
            if root_ == "var":
                if tail[0] not in decl["variable"]:
                    bad = f"var.{tail[0]} is not a declared variable"
            elif root_ == "local":
                if tail[0] not in decl["local"]:
                    bad = f"local.{tail[0]} is not declared in a locals block"
            elif root_ == "data":
                if len(tail) < 2 or f"{tail[0]}.{tail[1]}" not in decl["data"]:
                    bad = f"{text}: no such data source"
            elif root_ == "module":
                if tail[0] not in decl["module"]:
                    bad = f"module.{tail[0]} is not a module block"
                elif len(tail) > 1 and tail[0] in children and tail[1] not in children[tail[0]]["output"]:
                    bad = f"module.{tail[0]}.{tail[1]}: {q(decl['module'][tail[0]]['source'])} has no such output"
            elif root_ in decl["providers"] and len(tail) == 1:
                if text not in decl["aliases"]:
                    bad = f"provider configuration {text} is not declared (provider alias or configuration_aliases)"
            elif "_" in root_:
                if f"{root_}.{tail[0]}" not in decl["resource"]:
                    bad = f"{root_}.{tail[0]} is not a declared resource"
            else:
                bad = f"{text}: unknown reference"
            if bad:
                errors.append(f"{where}/{fname}: {bad}")

        def scan(fname, code):
            iterators = {n for m in FOR.finditer(code) for n in m.groups() if n}
            for m in REF.finditer(code):
                check_ref(fname, m.group(1), m.group(2).split(".")[1:], iterators)

        def walk(fname, node, key=None):
            if key in ("ignore_changes", "configuration_aliases") or (isinstance(key, str) and key.startswith("__")):
                return
            if isinstance(node, dict):
                for k, v in node.items():
                    if isinstance(k, str) and ("${" in k) and not k.startswith("__"):
                        scan(fname, code_of(k))
                    walk(fname, v, k)
            elif isinstance(node, list):
                for v in node:
                    walk(fname, v, key)
            elif isinstance(node, str):
                scan(fname, code_of(node))

        for fname, d in decl["files"].items():
            for kind, blocks in d.items():
                if kind in ("terraform", "__comments__") or kind.startswith("__"):
                    continue
                for block in blocks:
                    # A moved block's `from` names what is no longer declared, by design.
                    if kind == "moved":
                        block = {k: v for k, v in block.items() if k != "from"}
                    if kind == "variable":
                        block = {n: {k: v for k, v in b.items() if k != "type"} for n, b in block.items() if not n.startswith("__")}
                    walk(fname, block)

        # Module calls: arguments are declared variables; required variables are passed.
        for name, child in children.items():
            calls += 1
            body = decl["module"][name]
            passed = {k for k in body if not k.startswith("__") and k not in META}
            src = q(body["source"])
            for k in sorted(passed - set(child["variable"])):
                errors.append(f"{where}: module {name} passes {k}, which {src} does not declare")
            for k in sorted(v for v, has_default in child["variable"].items() if not has_default and v not in passed):
                errors.append(f"{where}: module {name} does not pass {k}, which {src} requires (no default)")
            for k in body.get("providers", {}) or {}:
                key = code_of(k).strip() or k
                if key not in child["providers"] and key not in child["aliases"]:
                    errors.append(f"{where}: module {name} passes provider {key}, which {src} does not declare")

    return errors, folders, refs, calls


def main(args):
    """args: the Terraform folder."""
    errors, folders, refs, calls = check(args[0])
    finish(errors, f"{len(folders)} folders: {refs} references resolve, {calls} module calls pass exactly their variables")
    return 1 if errors or not refs else 0
