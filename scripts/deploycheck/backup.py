"""Backups of production (issue 29, part 6, the infrastructure side), read off
terraform/modules/backup and terraform/environments/production:

  - AWS Backup selects the database and the documents bucket (production's own);
  - both vaults (this account's and the copy account's) are encrypted with a key of ours
    and locked in compliance mode (a grace period, a minimum retention);
  - a continuous rule (point-in-time restore) and a long rule whose recovery points are
    copied to the copy account's vault, kept as long there as here;
  - the long retention is ten years at least (Code de commerce, art. L123-22), checked by
    the variable's own validation too;
  - the copy account's provider is in eu-west-3 (the data stays in France) and is another
    account than production's.
"""
import os
import re

from .common import finish, load_hcl, q

LEGAL_DAYS = 3653  # ten years and the leap days: Code de commerce, art. L123-22


def unq(x):
    if isinstance(x, dict):
        return {q(k): unq(v) for k, v in x.items() if not str(k).startswith("__")}
    if isinstance(x, list):
        return [unq(v) for v in x]
    return q(x)


def blocks(doc, kind, rtype):
    return {name: body for d in doc.get(kind, []) for t, named in d.items() if t == rtype for name, body in named.items()}


def check(root="terraform"):
    errors = []
    err = errors.append
    mod = os.path.join(root, "modules/backup")
    if not os.path.isdir(mod):
        return ["no terraform/modules/backup"]
    doc = {"resource": [], "data": [], "variable": []}
    for f in ("main.tf", "variables.tf"):
        d = unq(load_hcl(os.path.join(mod, f)))
        for k in doc:
            doc[k] += d.get(k, [])
    vaults = blocks(doc, "resource", "aws_backup_vault")
    locks = blocks(doc, "resource", "aws_backup_vault_lock_configuration")
    for name in ("this", "copy"):
        v = vaults.get(name)
        if not v:
            err(f"modules/backup: no aws_backup_vault.{name}")
            continue
        if not str(v.get("kms_key_arn", "")).startswith("${"):
            err(f"modules/backup: vault {name} without a key of ours (kms_key_arn)")
        locked = [l for l in locks.values() if l.get("backup_vault_name") == f"${{aws_backup_vault.{name}.name}}"]
        if not locked:
            err(f"modules/backup: vault {name} is not locked (aws_backup_vault_lock_configuration): its recovery points could be deleted")
        for l in locked:
            if "changeable_for_days" not in l:
                err(f"modules/backup: vault {name}'s lock in governance mode (no changeable_for_days): an administrator can lift it")
            if int(l.get("min_retention_days", 0)) < 7:
                err(f"modules/backup: vault {name}'s lock keeps recovery points less than 7 days")
    plans = blocks(doc, "resource", "aws_backup_plan")
    rules = [r for p in plans.values() for r in p.get("rule", [])]
    if not any(str(r.get("enable_continuous_backup")).lower() == "true" for r in rules):
        err("modules/backup: no continuous rule (enable_continuous_backup): no point-in-time restore")
    copied = [r for r in rules if any(c.get("destination_vault_arn") == "${aws_backup_vault.copy.arn}" for c in r.get("copy_action", []))]
    if not copied:
        err("modules/backup: no rule copies its recovery points to the copy account's vault (copy_action to aws_backup_vault.copy)")
    variables = {k: v for d in doc["variable"] for k, v in d.items()}
    monthly = variables.get("monthly_retention_days", {})
    default = monthly.get("default")
    if default is None or int(default) < LEGAL_DAYS:
        err(f"modules/backup: monthly_retention_days defaults to {default}: financial records are kept ten years ({LEGAL_DAYS} days, Code de commerce art. L123-22)")
    cond = " ".join(str(v.get("condition")) for v in monthly.get("validation", []))
    m = re.search(r"var\.monthly_retention_days >= (\d+)", cond)
    if not m or int(m.group(1)) < LEGAL_DAYS:
        err(f"modules/backup: monthly_retention_days must be validated >= {LEGAL_DAYS}")
    for r in copied:
        keep = [str(r.get("lifecycle", [{}])[0].get("delete_after"))] + [str(c.get("lifecycle", [{}])[0].get("delete_after")) for c in r["copy_action"]]
        if any(k != "${var.monthly_retention_days}" for k in keep):
            err(f"modules/backup: rule {r.get('rule_name')} keeps its recovery points {keep}, not monthly_retention_days here and in the copy")
    selections = blocks(doc, "resource", "aws_backup_selection")
    res = [x for s in selections.values() for x in s.get("resources", [])]
    for want in ("${var.database_arn}", "${var.documents_bucket_arn}"):
        if want not in res:
            err(f"modules/backup: the selection does not back up {want}")
    # Production calls it with its own database and documents, the copy provider in Paris.
    prod = os.path.join(root, "environments/production")
    calls = [b for m_ in unq(load_hcl(os.path.join(prod, "main.tf"))).get("module", []) for b in m_.values() if b.get("source") == "../../modules/backup"]
    if not calls:
        err("environments/production: the backup module is not used")
        return errors
    call = calls[0]
    if call.get("database_arn") != "${module.rds.arn}" or call.get("documents_bucket_arn") != "${module.s3.documents_bucket_arn}":
        err(f"environments/production: backup of {call.get('database_arn')} and {call.get('documents_bucket_arn')}, not production's database and documents")
    providers = call.get("providers") or {}
    if isinstance(providers, list):
        providers = providers[0] if providers else {}
    alias = str(next((v for k, v in providers.items() if "backup_copy" in k or k.endswith(".copy")), "")).strip("${}")
    alias = alias.split(".", 1)[-1] if "." in alias else alias
    provs = [p for d in unq(load_hcl(os.path.join(prod, "versions.tf"))).get("provider", []) for t, p in d.items() if t == "aws"]
    copy = [p for p in provs if p.get("alias") == alias]
    if not copy:
        err(f"environments/production: no aws provider {alias!r} for the copy account")
    else:
        if copy[0].get("region") != "eu-west-3":
            err(f"environments/production: the copy account's provider is in {copy[0].get('region')}: the data stays in France (eu-west-3)")
        if "backup_copy_account_id" not in str(copy[0].get("allowed_account_ids")):
            err("environments/production: the copy provider is not pinned to backup_copy_account_id")
    pvars = {k: v for d in unq(load_hcl(os.path.join(prod, "variables.tf"))).get("variable", []) for k, v in d.items()}
    vcond = " ".join(str(v.get("condition")) for v in pvars.get("backup_copy_account_id", {}).get("validation", []))
    if "var.backup_copy_account_id != var.account_id" not in vcond:
        err("environments/production: backup_copy_account_id may be production's own account (validation)")
    return errors


def main(args):
    return finish(check(), "database and documents in a locked vault with our key, continuous and ten-year rules, copied to a locked vault of another account in eu-west-3")
