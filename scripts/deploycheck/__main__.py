"""python -m deploycheck <check> [args]: runs one check, prints its report, exits 1 when
it fails (scripts/check-deploy.sh names each check and shows the report of a failure)."""
import sys

from . import backup, chart, cluster, checkov, deploy_web, dockerfile, ecr, edge, gitlab, helm_values, identity, observability, privilege, rollback, smoke, terraform, terraform_refs, trust, web

CHECKS = {
    "checkov-report": checkov.main,
    "dockerfile": dockerfile.main,
    "helm-values": helm_values.main,
    "kube-validate": chart.kube_validate_main,
    "chart-contract": chart.contract_main,
    "chart-env": chart.env_main,
    "chart-web-signin": chart.web_signin_main,
    "origin-verify": chart.origin_verify_main,
    "gitlab-contract": gitlab.contract_main,
    "gitlab-web": gitlab.web_main,
    "gitlab-gate": gitlab.gate_main,
    "deploy-web": deploy_web.main,
    "helm-rollback": rollback.main,
    "smoke-test": smoke.main,
    "terraform-parse": terraform.parse_main,
    "terraform-contract": terraform.contract_main,
    "terraform-references": terraform_refs.main,
    "terraform-validations": terraform.validations_main,
    "terraform-web": web.main,
    "terraform-edge": edge.main,
    "ecr-lifecycle": ecr.main,
    "tag-image": ecr.tag_main,
    "observability": observability.main,
    "trust": trust.main,
    "privilege": privilege.main,
    "backup": backup.main,
    "cluster": cluster.main,
    "identity": identity.main,
}


def main(argv):
    if not argv or argv[0] not in CHECKS:
        print(f"usage: python -m deploycheck {{{'|'.join(CHECKS)}}} [args]", file=sys.stderr)
        return 2
    return CHECKS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
