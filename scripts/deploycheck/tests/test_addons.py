"""Unit tests of cluster.addons (the core EKS add-ons pinned at the cluster's version), on a
copy of the files it reads (the eks module, the environments, check-deploy.sh's
KUBE_VERSION, docs/DEPLOYMENT.md), changed one way at a time."""
import os
import re
import shutil
import tempfile
import unittest

from deploycheck import cluster

REPO = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FILES = ["terraform/modules/eks", "terraform/environments/staging/main.tf",
         "terraform/environments/production/main.tf", "scripts/check-deploy.sh", "docs/DEPLOYMENT.md"]


class Addons(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.root)
        for f in FILES:
            src, dst = os.path.join(REPO, f), os.path.join(self.root, f)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if os.path.isdir(src):
                shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".terraform*"))
            else:
                shutil.copy(src, dst)

    def edit(self, path, old, new):
        path = os.path.join(self.root, path)
        text = open(path).read()
        self.assertIn(old, text)
        open(path, "w").write(text.replace(old, new, 1))

    def row(self):
        """The pinned row of Kubernetes 1.35 in the eks module's default."""
        text = open(os.path.join(self.root, "terraform/modules/eks/variables.tf")).read()
        return dict(re.findall(r'^\s+(vpc_cni|kube_proxy|coredns|pod_identity_agent)\s+= "([^"]+)"', text, re.M))

    def test_the_repository_passes(self):
        errors, pinned = cluster.addons(self.root)
        self.assertEqual(errors, [])
        self.assertEqual(set(pinned), {"staging", "production"})
        self.assertEqual(set(pinned["production"]), set(cluster.CORE_ADDONS))
        self.assertTrue(pinned["production"]["kube-proxy"].startswith("v1.35."))

    def test_kube_proxy_of_another_minor(self):
        kp = self.row()["kube_proxy"]
        self.edit("terraform/modules/eks/variables.tf", f'"{kp}"', '"v1.34.6-eksbuild.13"')
        errors, _ = cluster.addons(self.root)
        self.assertTrue(any("not the release of the cluster's Kubernetes 1.35" in e for e in errors), errors)

    def test_an_environment_passing_its_own_unpinned_row(self):
        # An environment may pass addon_versions; its row is the one checked, for it alone.
        r = self.row()
        table = ('  addon_versions = { "1.35" = { vpc_cni = "%s", kube_proxy = "%s", coredns = "latest", '
                 'pod_identity_agent = "%s" } }\n' % (r["vpc_cni"], r["kube_proxy"], r["pod_identity_agent"]))
        self.edit("terraform/environments/production/main.tf", "  kubernetes_version = local.kubernetes_version\n  vpc_id",
                  "  kubernetes_version = local.kubernetes_version\n" + table + "  vpc_id")
        errors, _ = cluster.addons(self.root)
        self.assertTrue(any(e.startswith("environments/production: coredns not pinned") for e in errors), errors)
        self.assertFalse(any(e.startswith("environments/staging") for e in errors), errors)

    def test_a_cluster_on_a_version_without_its_row(self):
        self.edit("terraform/environments/staging/main.tf", 'kubernetes_version = "1.35"', 'kubernetes_version = "1.36"')
        errors, _ = cluster.addons(self.root)
        self.assertTrue(any('environments/staging: no pinned add-on versions for Kubernetes 1.36' in e for e in errors), errors)

    def test_an_addon_missing_stops_there(self):
        self.edit("terraform/modules/eks/addons.tf", 'addon_name                  = "coredns"', 'addon_name                  = "core-dns"')
        errors, pinned = cluster.addons(self.root)
        self.assertEqual(pinned, {})
        self.assertTrue(any("0 aws_eks_addon coredns" in e for e in errors), errors)

    def test_order_and_role(self):
        self.edit("terraform/modules/eks/addons.tf", "  depends_on                  = [aws_eks_node_group.this]\n", "")
        self.edit("terraform/modules/eks/main.tf", "    aws_eks_addon.kube_proxy,\n", "")
        self.edit("terraform/modules/eks/controllers.tf", 'vpc_cni                  = "aws-node"',
                  'vpc_cni                  = "*"')
        errors, _ = cluster.addons(self.root)
        self.assertTrue(any("coredns add-on does not depend on the node groups" in e for e in errors), errors)
        self.assertTrue(any("does not depend on the kube-proxy add-on" in e for e in errors), errors)
        self.assertTrue(any("not trusted by kube-system/aws-node alone" in e for e in errors), errors)


if __name__ == "__main__":
    unittest.main()
