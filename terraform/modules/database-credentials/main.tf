# The database credentials of pge's two roles (ops/postgres/roles.sql), in Secrets Manager,
# rotated, and read into the cluster by the External Secrets Operator (issue 29, part 5):
#
#   <name>/database/app         pge_app, the API's and the worker's (DML only): rotated by
#                               alternating users (pge_app, pge_app_clone, a member of
#                               pge_app created by the rotation with the master user), so
#                               the previous credentials stay valid for a whole period
#                               while pods started before the rotation finish their life
#   <name>/database/migration   pge_migrator, the migration Job's (owner of the schema):
#                               rotated in place (a clone would own what it creates); the
#                               Job reads the secret afresh at each deploy
#
# Both in the JSON the rotation functions keep (engine, host, port, dbname, username,
# password), encrypted with a key of ours; the chart's ExternalSecrets build the URL pge
# reads from it. AWS's hosted rotation functions (AWS::SecretsManager::RotationSchedule,
# HostedRotationLambda) run in the VPC; the database admits their security group.

module "key" {
  source      = "../kms-key"
  description = "${var.name} database credentials (Secrets Manager)"
  tags        = var.tags
}

locals {
  roles = { app = "pge_app", migration = "pge_migrator" }
}

# A first password, replaced by the first rotation (rotated at once when the schedule is
# created); Terraform never reads the secret again.
resource "random_password" "initial" {
  for_each = local.roles
  length   = 40
  special  = false
}

resource "aws_secretsmanager_secret" "this" {
  # checkov:skip=CKV2_AWS_57:Rotated every rotation_days by the AWS::SecretsManager::RotationSchedule of the rotation stack below (hosted rotation functions), which checkov does not read
  for_each                = local.roles
  name                    = "${var.name}/database/${each.key}"
  description             = "PostgreSQL credentials of ${each.value} (ops/postgres/roles.sql), rotated every ${var.rotation_days} days"
  kms_key_id              = module.key.arn
  recovery_window_in_days = 30
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "initial" {
  for_each  = local.roles
  secret_id = aws_secretsmanager_secret.this[each.key].id
  secret_string = jsonencode({
    engine    = "postgres"
    host      = var.database_host
    port      = var.database_port
    dbname    = var.database_name
    username  = each.value
    password  = random_password.initial[each.key].result
    masterarn = var.master_secret_arn
  })
  lifecycle {
    ignore_changes = [secret_string]
  }
}

# --- rotation ---------------------------------------------------------------------------

resource "aws_security_group" "rotation" {
  # checkov:skip=CKV2_AWS_5:Attached to the hosted rotation functions that the CloudFormation stack below creates (VpcSecurityGroupIds), which checkov does not read
  name        = "${var.name}-database-rotation"
  description = "AWS hosted rotation functions of pge's database credentials"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-database-rotation" })
}

resource "aws_vpc_security_group_egress_rule" "rotation_postgres" {
  security_group_id = aws_security_group.rotation.id
  description       = "PostgreSQL in the VPC"
  cidr_ipv4         = var.vpc_cidr
  ip_protocol       = "tcp"
  from_port         = var.database_port
  to_port           = var.database_port
}

resource "aws_vpc_security_group_egress_rule" "rotation_https" {
  security_group_id = aws_security_group.rotation.id
  description       = "Secrets Manager and KMS (regional endpoints)"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_cloudformation_stack" "rotation" {
  # checkov:skip=CKV_AWS_124:The stack changes only at terraform apply, whose result the operator reads; a failed rotation is not a stack event (Secrets Manager marks the secret, its next rotation retries)
  name         = "${var.name}-database-rotation"
  capabilities = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
  template_body = jsonencode({
    Transform = "AWS::SecretsManager-2020-07-23"
    Resources = {
      AppRotation = {
        Type = "AWS::SecretsManager::RotationSchedule"
        Properties = {
          SecretId = aws_secretsmanager_secret.this["app"].arn
          HostedRotationLambda = {
            RotationType          = "PostgreSQLMultiUser"
            RotationLambdaName    = "${var.name}-rotate-app"
            MasterSecretArn       = var.master_secret_arn
            MasterSecretKmsKeyArn = var.master_secret_kms_key_arn
            KmsKeyArn             = module.key.arn
            VpcSecurityGroupIds   = aws_security_group.rotation.id
            VpcSubnetIds          = join(",", var.subnet_ids)
            ExcludeCharacters     = "/@\"'\\:?#[]%&+ "
          }
          RotationRules             = { ScheduleExpression = "rate(${var.rotation_days} days)" }
          RotateImmediatelyOnUpdate = true
        }
      }
      MigrationRotation = {
        Type = "AWS::SecretsManager::RotationSchedule"
        Properties = {
          SecretId = aws_secretsmanager_secret.this["migration"].arn
          HostedRotationLambda = {
            RotationType        = "PostgreSQLSingleUser"
            RotationLambdaName  = "${var.name}-rotate-migration"
            KmsKeyArn           = module.key.arn
            VpcSecurityGroupIds = aws_security_group.rotation.id
            VpcSubnetIds        = join(",", var.subnet_ids)
            ExcludeCharacters   = "/@\"'\\:?#[]%&+ "
          }
          RotationRules             = { ScheduleExpression = "rate(${var.rotation_days} days)" }
          RotateImmediatelyOnUpdate = true
        }
      }
    }
  })
  tags       = var.tags
  depends_on = [aws_secretsmanager_secret_version.initial]
}

# --- the External Secrets store's role (IRSA) ------------------------------------------

data "aws_iam_policy_document" "reader_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:sub"
      values   = ["system:serviceaccount:${var.namespace}:${var.service_account}-secrets"]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "reader" {
  name                 = "${var.name}-database-secrets"
  assume_role_policy   = data.aws_iam_policy_document.reader_assume.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "reader" {
  statement {
    sid       = "ReadTheTwoSecrets"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [for s in aws_secretsmanager_secret.this : s.arn]
  }
  statement {
    sid       = "DecryptThem"
    actions   = ["kms:Decrypt"]
    resources = [module.key.arn]
  }
}

resource "aws_iam_role_policy" "reader" {
  name   = "database-secrets"
  role   = aws_iam_role.reader.id
  policy = data.aws_iam_policy_document.reader.json
}
