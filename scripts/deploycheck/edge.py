"""The edge lets real users in (issue 29, part 7): the WAF web ACL of terraform/modules/waf,
evaluated per environment with tfeval (variable defaults, terraform.tfvars.example):

- body: the common rule set's SizeRestrictions_BODY (8 KB) only counted, the rest of the
  set in block, and a rule of our own that blocks bodies over the API's own limit
  (BODY_LIMIT, read from api/src/extract.rs), with CloudFront forwarding enough of a body
  for the WAF to see that limit;
- geo: the country allow-list, empty or France with each of its overseas departments and
  territories, and CloudFront's geographic restriction the same list;
- rate: one rule keyed per credential (Authorization header and address: it counts only
  requests that carry one), every other rule scoped to /api/ (the web app's files are
  never counted), and no rule keyed on the address alone that counts signed-in users'
  requests under a bank's worth of users' budgets;
- managed: the established managed rule groups in block, any other one counted (on trial).

Each check returns (errors, the summary when there is none)."""
import pathlib
import re

from . import tfeval
from .common import q

ENVS = ("staging", "production")
WAF = "aws_wafv2_web_acl.this"
# France and its overseas departments and territories, each with its ISO 3166-1 code:
# Réunion, Guadeloupe, Martinique, Guyane, Mayotte, Saint-Pierre-et-Miquelon,
# Saint-Barthélemy, Saint-Martin, Nouvelle-Calédonie, Polynésie française, Wallis-et-Futuna.
FRANCE = ("FR", "RE", "GP", "MQ", "GF", "YT", "PM", "BL", "MF", "NC", "PF", "WF")
CRS = "AWSManagedRulesCommonRuleSet"
# The managed rule groups in block since launch; any other one starts counted.
ESTABLISHED = ("AWSManagedRulesAmazonIpReputationList", CRS, "AWSManagedRulesKnownBadInputsRuleSet",
               "AWSManagedRulesSQLiRuleSet")
# A per-credential budget this many times over is a ceiling for a bank's team, not a user's.
CEILING_FACTOR = 10


def first(block, key):
    """The first `key` block of a parsed block, or {}."""
    v = block.get(key) if isinstance(block, dict) else None
    return v[0] if isinstance(v, list) and v and isinstance(v[0], dict) else {}


def kinds(block):
    """The block's sub-blocks that are set: {name: body} (python-hcl2's markers left out)."""
    return {k: first(block, k) for k, v in (block or {}).items()
            if not k.startswith("__") and isinstance(v, list) and v and isinstance(v[0], dict)}


def api_limit(extract_rs="api/src/extract.rs"):
    """The API's body limit in bytes: `BODY_LIMIT` of api/src/extract.rs (a product of
    integers such as 64 * 1024)."""
    m = re.search(r"const BODY_LIMIT: usize = ([0-9_ *]+);", pathlib.Path(extract_rs).read_text())
    if not m:
        raise ValueError(f"no `const BODY_LIMIT: usize = ...;` in {extract_rs}")
    n = 1
    for factor in m.group(1).replace("_", "").split("*"):
        n *= int(factor)
    return n


def rules(acl):
    """The web ACL's rules: (name, body, dynamic) with the `rule` blocks as written and the
    `content` of each `dynamic "rule"` (its name an expression)."""
    out = [(q(r.get("name")), r, False) for r in acl.get("rule", []) or []]
    for d in acl.get("dynamic", []) or []:
        for label, body in d.items():
            if q(label) == "rule":
                content = first(body, "content")
                out.append((q(content.get("name")), content, True))
    return out


def action(rule):
    """What a rule does with a match: the kind of its `action` (block, count, allow...) or
    of its `override_action` (none, count) for a rule group."""
    return next(iter(kinds(first(rule, "action")) or kinds(first(rule, "override_action")) or {"?": {}}))


def managed(rule):
    return first(first(rule, "statement"), "managed_rule_group_statement")


def is_api_path(stmt):
    """A byte match of the URI path that starts with /api/."""
    b = first(stmt, "byte_match_statement")
    return (bool(b) and "uri_path" in kinds(first(b, "field_to_match"))
            and q(b.get("positional_constraint")) == "STARTS_WITH" and q(b.get("search_string")) in ("/api/", "/api"))


def statements(stmt):
    """The statements an `and_statement` combines, or the statement itself."""
    a = first(stmt, "and_statement")
    return a.get("statement", []) if a else [stmt]


def scoped_to_api(stmt):
    """A scope-down statement that holds requests to /api/ only."""
    return bool(stmt) and any(is_api_path(s) for s in statements(stmt))


def without_credential(stmt):
    """A scope-down statement that holds only requests without an Authorization header:
    NOT (size of the authorization header > 0), AWS's pattern for a missing header."""
    for s in statements(stmt):
        size = first(first(first(s, "not_statement"), "statement"), "size_constraint_statement")
        header = first(first(size, "field_to_match"), "single_header")
        if (q(header.get("name", "")).lower() == "authorization" and q(size.get("comparison_operator")) == "GT"
                and size.get("size") == 0):
            return True
    return False


def waf_scopes(root):
    """(env, the web ACL as parsed, the waf module's scope in that environment)."""
    for env in ENVS:
        s = tfeval.environment(root, env)
        waf = s.module("waf")
        acl = waf.folder.typed("resource").get(WAF)
        if acl is None:
            raise tfeval.EvalError(f"{waf.folder.path}: no resource {WAF}")
        yield env, s, acl, waf


def body(root="terraform", extract_rs="api/src/extract.rs"):
    errors = []
    err = errors.append
    limit = api_limit(extract_rs)
    try:
        for env, _, acl, waf in waf_scopes(root):
            # CloudFront forwards at most 64 KB of a body; the WAF must see the API's limit.
            inspected = q(first(first(first(acl, "association_config"), "request_body"), "cloudfront")
                          .get("default_size_inspection_limit", '"KB_16"'))
            m = re.fullmatch(r"KB_(\d+)", str(inspected))
            if limit > 65536:
                err(f"the API accepts {limit} bytes, more than the 64 KB CloudFront forwards to the WAF: the edge cannot hold that limit")
            elif not m or int(m.group(1)) * 1024 < limit:
                err(f"{env}: the web ACL's body inspection limit is {inspected} (association_config request_body cloudfront): the WAF sees less than the API's {limit} bytes, so the body-size rule cannot tell a body within the limit from one over it")
            own = []
            for name, r, _ in rules(acl):
                stmt = first(r, "statement")
                for s in statements(stmt):
                    size = first(s, "size_constraint_statement")
                    if not size or "body" not in kinds(first(size, "field_to_match")):
                        continue
                    n = waf.scope.value(size.get("size"))
                    op = q(size.get("comparison_operator"))
                    oversize = q(first(first(size, "field_to_match"), "body").get("oversize_handling", '"CONTINUE"'))
                    if action(r) != "block":
                        continue
                    largest = n if op == "GT" else n - 1  # the longest body the rule lets through
                    if op in ("GT", "GE") and largest < limit:
                        err(f"{env}: rule {name} blocks bodies over {largest} bytes, under the API's own limit of {limit}")
                    elif op == "GT" and n == limit and oversize == "MATCH":
                        other = [x for x in statements(stmt) if x is not s]
                        if other and not all(is_api_path(x) for x in other):
                            err(f"{env}: rule {name}: the body-size rule may be scoped to /api/ only (a byte match of the path), nothing else")
                        else:
                            own.append(name)
                    else:
                        err(f"{env}: rule {name}: a body-size rule must be size > {limit} (the API's limit) with oversize_handling MATCH (got {op} {n}, {oversize})")
            if not own:
                err(f"{env}: no rule blocks bodies over the API's own limit ({limit} bytes: size_constraint_statement on body, GT {limit}, oversize_handling MATCH, action block)")
            crs = [(name, r) for name, r, _ in rules(acl) if q(managed(r).get("name")) == CRS]
            if not crs:
                err(f"{env}: the common rule set ({CRS}) is gone: it must stay, in block")
            for name, r in crs:
                if action(r) != "none":
                    err(f"{env}: rule {name}: the common rule set is overridden to {action(r)}: the set must stay in block (override_action none)")
                if first(managed(r), "scope_down_statement"):
                    err(f"{env}: rule {name}: the common rule set has a scope-down statement: it must inspect every request")
                overrides = {q(o.get("name")): next(iter(kinds(first(o, "action_to_use"))), "?")
                             for o in managed(r).get("rule_action_override", []) or []}
                if overrides.get("SizeRestrictions_BODY") != "count":
                    err(f"{env}: rule {name}: SizeRestrictions_BODY is left in block: every body over 8 KB gets a 403 from the edge while the API accepts {limit} bytes (rule_action_override, action_to_use count)")
                for o, a in sorted(overrides.items()):
                    if o != "SizeRestrictions_BODY" and a != "block":
                        err(f"{env}: rule {name}: {o} overridden to {a}: the rest of the common rule set must stay in block")
    except tfeval.EvalError as e:
        err(str(e))
    return errors, (f"the common rule set's SizeRestrictions_BODY counted, the rest in block; bodies over the API's "
                    f"{limit} bytes blocked (inspection limit 64 KB, oversize MATCH)")


def geo(root="terraform"):
    errors = []
    err = errors.append
    try:
        for env, s, acl, waf in waf_scopes(root):
            lists = {"allowed_country_codes of module waf": waf.arg("allowed_country_codes"),
                     "geo_restriction_countries of module cloudfront": s.module("cloudfront").arg("geo_restriction_countries")}
            for name, r, _ in rules(acl):
                g = first(first(first(first(r, "statement"), "not_statement"), "statement"), "geo_match_statement")
                if g:
                    lists[f"rule {name} of the web ACL"] = waf.scope.value(g.get("country_codes"))
            for where, codes in lists.items():
                codes = codes if isinstance(codes, list) else [codes]
                missing = [c for c in FRANCE if c not in codes]
                if codes and missing:
                    err(f"{env}: {where} is {codes}: it shuts out {', '.join(missing)} (France's overseas departments and territories have country codes of their own)")
            if len({tuple(sorted(v)) if isinstance(v, list) else v for v in lists.values()}) > 1:
                err(f"{env}: the WAF and CloudFront allow different countries: {lists}")
    except tfeval.EvalError as e:
        err(str(e))
    return errors, "country allow-lists empty or France with " + ", ".join(FRANCE[1:]) + "; CloudFront's the WAF's"


def rate(root="terraform"):
    errors = []
    err = errors.append
    try:
        for env, _, acl, waf in waf_scopes(root):
            rated = [(name, r, first(first(r, "statement"), "rate_based_statement")) for name, r, _ in rules(acl)]
            rated = [(name, r, rb) for name, r, rb in rated if rb]
            if not rated:
                err(f"{env}: no rate-based rule")
            per_credential = []
            for name, r, rb in rated:
                keys = [kinds(k) for k in rb.get("custom_key", []) or []]
                key_type = q(rb.get("aggregate_key_type", '"IP"'))
                on_credential = key_type == "CUSTOM_KEYS" and any(
                    q(k.get("header", {}).get("name", "")).lower() == "authorization" for k in keys)
                # A rule keyed on the Authorization header counts only the requests that carry
                # one (AWS leaves out a request missing a key): the browser fetches the web
                # app's files without it. Any other rule must be scoped to /api/.
                if not on_credential and not scoped_to_api(first(rb, "scope_down_statement")):
                    err(f"{env}: rate rule {name} counts requests outside /api/: the web app's files (a page load is a dozen) spend the budget (scope_down_statement: uri_path STARTS_WITH /api/)")
                if on_credential:
                    if not any("ip" in k for k in keys):
                        err(f"{env}: rate rule {name} keys on the Authorization header alone: key it with the address too (custom_key ip)")
                    per_credential.append((name, waf.scope.value(rb.get("limit"))))
            if not per_credential:
                err(f"{env}: no rate rule keyed per credential (aggregate_key_type CUSTOM_KEYS: header authorization and ip): a bank's reviewers behind one egress address share one budget")
            for name, r, rb in rated:
                key_type = q(rb.get("aggregate_key_type", '"IP"'))
                if key_type not in ("IP", "FORWARDED_IP") or without_credential(first(rb, "scope_down_statement")):
                    continue
                n = waf.scope.value(rb.get("limit"))
                floor = CEILING_FACTOR * max((lim for _, lim in per_credential), default=0)
                if not per_credential or n < floor:
                    err(f"{env}: rate rule {name} keys on the address alone and counts signed-in users' requests with a limit of {n}: a bank's reviewers behind one egress address would share it (exclude requests with an Authorization header, or make it a ceiling of at least {CEILING_FACTOR} user budgets, {floor})")
    except tfeval.EvalError as e:
        err(str(e))
    return errors, "signed-in requests counted per credential and address; per-address rules on /api/ only, anonymous or a team-sized ceiling"


def managed_groups(root="terraform"):
    errors = []
    err = errors.append
    try:
        for env, _, acl, _ in waf_scopes(root):
            present = set()
            for name, r, dynamic in rules(acl):
                group = managed(r)
                if not group:
                    continue
                gname = q(group.get("name"))
                if dynamic:
                    if action(r) != "count":
                        err(f"{env}: rule {name} (dynamic): a managed rule group added by a variable must be counted (override_action count), not {action(r)}")
                elif gname in ESTABLISHED:
                    present.add(gname)
                    if action(r) != "none":
                        err(f"{env}: rule {name}: {gname} is overridden to {action(r)}: it has been in block since launch (override_action none)")
                elif action(r) != "count":
                    err(f"{env}: rule {name}: the managed rule group {gname} blocks from its first deployment: add it to managed_rule_groups_on_trial (counted) first, and promote it once its counted requests are read")
            for g in ESTABLISHED:
                if g not in present:
                    err(f"{env}: the managed rule group {g} is gone (it must stay in block)")
    except tfeval.EvalError as e:
        err(str(e))
    return errors, f"{len(ESTABLISHED)} established managed rule groups in block; the others counted"


CHECKS = {"body": body, "geo": geo, "rate": rate, "managed": managed_groups}


def main(args):
    """args: body|geo|rate|managed. Run from the repository's root."""
    errors, ok = CHECKS[args[0]]()
    print("\n".join(errors) or ok)
    return 1 if errors else 0
