# The on-call's two SNS topics in one region, encrypted with a key of ours: `page` (act
# now, day or night: e-mail and SMS) and `ticket` (working hours: e-mail). CloudWatch
# alarms can only notify a topic of their own region, so the observability module makes
# one pair in eu-west-3 and one in us-east-1 (CloudFront's and the WAF's metrics), both
# with the same subscribers.

data "aws_caller_identity" "current" {}

locals {
  # Subscriptions: (topic, protocol, endpoint). A page reaches every address and phone;
  # a ticket, the addresses only.
  subscriptions = merge(
    { for a in var.email_addresses : "page-email-${a}" => { topic = "page", protocol = "email", endpoint = a } },
    { for n in var.sms_numbers : "page-sms-${n}" => { topic = "page", protocol = "sms", endpoint = n } },
    { for a in var.email_addresses : "ticket-email-${a}" => { topic = "ticket", protocol = "email", endpoint = a } },
  )
}

module "key" {
  source             = "../kms-key"
  description        = "${var.name} on-call SNS topics (alarms, alert manager, budgets)"
  service_principals = var.publishers
  tags               = var.tags
}

resource "aws_sns_topic" "this" {
  for_each          = toset(["page", "ticket"])
  name              = "${var.name}-oncall-${each.key}"
  display_name      = "pge ${each.key}"
  kms_master_key_id = module.key.arn
  tags              = var.tags
}

data "aws_iam_policy_document" "topic" {
  for_each = aws_sns_topic.this
  statement {
    sid       = "AccountOwner"
    actions   = ["sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:ListSubscriptionsByTopic"]
    resources = [each.value.arn]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "AwsServicesOfThisAccount"
    actions   = ["sns:Publish", "sns:GetTopicAttributes"]
    resources = [each.value.arn]
    principals {
      type        = "Service"
      identifiers = var.publishers
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  for_each = aws_sns_topic.this
  arn      = each.value.arn
  policy   = data.aws_iam_policy_document.topic[each.key].json
}

# E-mail subscriptions stay "pending confirmation" until each address clicks the link
# SNS sends (docs/DEPLOYMENT.md, "Alerts reach the on-call").
resource "aws_sns_topic_subscription" "this" {
  for_each  = local.subscriptions
  topic_arn = aws_sns_topic.this[each.value.topic].arn
  protocol  = each.value.protocol
  endpoint  = each.value.endpoint
}
