"""Promoted images are kept: ECR's lifecycle policy (terraform/modules/ecr, evaluated where
an environment creates the repository) is run, as ECR runs it, on an image an environment
runs, tagged <environment>-<sha> by the deploy job: the first rule whose tags it matches
must be one that keeps that environment's images (an image is expired by that rule or by
none), keeping at least as many as the environment may need."""
import fnmatch
import json
import os
import pathlib
import re
import shutil
import subprocess

from . import tfeval
from .common import finish, q

# Environment: the fewest of its deployed images the policy must keep. Production: all
# (9999 deploys outlive the platform; 1000 is the floor); staging: the 20 Helm revisions
# (--history-max 20) a rollback can reach.
KEEP = {"production": 1000, "staging": 20}
SHA = "0123456789abcdef0123456789abcdef01234567"


def strs(v):
    return [q(x) for x in (v if isinstance(v, list) else [v])]


def matches(selection, tags):
    """Whether an image with `tags` matches a rule's selection, as ECR decides: `any`
    every image, `untagged` those without a tag, `tagged` those with a tag for each
    prefix of tagPrefixList and each pattern of tagPatternList."""
    status = q(selection.get("tagStatus"))
    if status == "any":
        return True
    if status == "untagged":
        return not tags
    return bool(tags) and all(any(t.startswith(p) for t in tags) for p in strs(selection.get("tagPrefixList", []))) \
        and all(any(fnmatch.fnmatchcase(t, p) for t in tags) for p in strs(selection.get("tagPatternList", [])))


def lifecycle_errors(rules, keep=KEEP):
    """Errors of the lifecycle `rules` (evaluated: a list of dicts, as in the policy's JSON)."""
    errors = []
    ordered = sorted(rules, key=lambda r: r.get("rulePriority", 0))
    for env, floor in keep.items():
        tags = [SHA, f"{env}-{SHA}"]
        rule = next((r for r in ordered if matches(r.get("selection", {}), tags)), None)
        if rule is None:
            continue  # no rule selects it: never expired
        sel = rule["selection"]
        shields = (q(sel.get("tagStatus")) == "tagged" and f"{env}-" in strs(sel.get("tagPrefixList", []))
                   and q(sel.get("countType")) == "imageCountMoreThan" and int(sel.get("countNumber", 0)) >= floor)
        if not shields:
            what = f"{q(sel.get('countType'))} {sel.get('countNumber')} {q(sel.get('countUnit', ''))}".strip()
            errors.append(f"an image {env} runs (tags {env}-<sha> and <sha>) falls first under rule {rule.get('rulePriority')} "
                          f"({q(rule.get('description', ''))}: {q(sel.get('tagStatus'))}, {what}), which may expire it: "
                          f"a rule of tagPrefixList [\"{env}-\"] keeping more than {floor} images must come first")
    return errors


REGISTRY = "123456789012"
URL = f"{REGISTRY}.dkr.ecr.eu-west-3.amazonaws.com/pge"
MANIFEST = '{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "layers": []}'
MEDIA = "application/vnd.oci.image.manifest.v1+json"


def tag_runs(script, work, stub):
    """Runs scripts/tag-deployed-image.sh against the aws stand-in (folder `stub`), on a
    repository holding the image SHA: staging, staging again (a re-deploy), production,
    an unknown SHA, an unknown environment. Returns the errors."""
    work = pathlib.Path(work) / "tag-image"
    shutil.rmtree(work, ignore_errors=True)
    image = work / "store" / "ecr" / REGISTRY / "pge" / f"{SHA}.json"
    image.parent.mkdir(parents=True)
    image.write_text(json.dumps({"imageManifest": MANIFEST, "imageManifestMediaType": MEDIA}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(PATH=f"{stub}{os.pathsep}{env['PATH']}", AWS_STUB_LOG=str(work / "log"), AWS_STUB_STORE=str(work / "store"))
    errors = []
    runs = [("staging", SHA, f"staging-{SHA}"), ("staging", SHA, None), ("production", SHA, f"production-{SHA}"),
            ("staging", "f" * 40, "refused"), ("prod", SHA, "refused")]
    for env_name, sha, expect in runs:
        (work / "log").write_text("")
        r = subprocess.run(["bash", str(script), URL, sha, env_name], env=env, capture_output=True, text=True, timeout=60)
        calls = [json.loads(line) for line in (work / "log").read_text().splitlines()]
        puts = [c for c in calls if c[:2] == ["ecr", "put-image"]]
        what = f"{env_name} {sha[:7]}: exit {r.returncode}, put-image {puts}: {(r.stdout + r.stderr).strip()[-200:]}"
        if expect == "refused":
            if r.returncode == 0 or puts:
                errors.append(f"expected a refusal without a tag: {what}")
        elif expect is None:
            if r.returncode != 0 or puts:
                errors.append(f"a re-deploy must leave the existing tag as it is: {what}")
        else:
            stored = work / "store" / "ecr" / REGISTRY / "pge" / f"{expect}.json"
            if r.returncode != 0 or len(puts) != 1 or not stored.exists() or json.loads(stored.read_text()) != json.loads(image.read_text()):
                errors.append(f"expected the image's own manifest and media type put under the tag {expect}: {what}")
    return errors


def tag_main(args):
    """args: scripts/tag-deployed-image.sh's path, a scratch folder, the aws stand-in's folder."""
    return finish(tag_runs(*args), "tag-deployed-image.sh tags <environment>-<sha> with the image's own manifest, "
                  "leaves an existing tag, refuses an unknown image or environment")


def main(args):
    """args: the Terraform folder. The repository is created by the staging environment."""
    try:
        s = tfeval.environment(args[0], "staging")
        ecr = s.module("ecr")
        policies = [b for k, b in ecr.folder.typed("resource").items() if k.startswith("aws_ecr_lifecycle_policy.")]
        if len(policies) != 1 or not re.search(r"jsonencode\(\{\s*rules\s*=\s*local\.lifecycle_rules\s*\}\)", str(policies[0].get("policy"))):
            return finish([f"{ecr.folder.path}: one aws_ecr_lifecycle_policy, its policy jsonencode({{ rules = local.lifecycle_rules }}), is what this check reads"], "")
        rules = ecr.scope.value(ecr.folder.locals()["lifecycle_rules"])
    except (tfeval.EvalError, KeyError) as e:
        return finish([f"cannot evaluate the ECR lifecycle rules: {e}"], "")
    return finish(lifecycle_errors(rules), f"{len(rules)} lifecycle rules: " + ", ".join(
        f"an image {env} ran is kept (more than {n})" for env, n in KEEP.items()))
