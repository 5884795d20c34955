"""Helpers shared by the checks."""


def finish(errors, ok):
    """Prints the errors, or `ok` when there is none; the exit status."""
    print("\n".join(errors) or ok)
    return 1 if errors else 0


def q(s):
    """A python-hcl2 string without its quotes ("x" -> x); anything else as it is."""
    return s[1:-1] if isinstance(s, str) and len(s) >= 2 and s[0] == s[-1] == '"' else s


def yaml_docs(path):
    """The non-empty YAML documents of a file."""
    import yaml

    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def load_gitlab_ci(path):
    """.gitlab-ci.yml as a dict, `!reference [...]` read as a list."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!reference", lambda loader, node: loader.construct_sequence(node))
    with open(path) as f:
        return yaml.load(f, Loader=Loader)


def load_hcl(path):
    import hcl2

    with open(path) as f:
        return hcl2.load(f)


def loads_hcl(text):
    import hcl2

    return hcl2.loads(text)
