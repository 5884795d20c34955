# CloudWatch alarms on what the application cannot see, each to the on-call's topic of
# its region: page (act now) or ticket (working hours); docs/DEPLOYMENT.md ("CloudWatch
# alarms") says what each one means and what to do. The application's own signals
# (availability, latency, saturation, the outbox) are the Prometheus alerts of
# ops/prometheus/rules.yml.

locals {
  gib = 1073741824
}

# --- Sign-in ------------------------------------------------------------------------------

# A failing pre-token-generation trigger (the staff pool's) fails every sign-in and renewal
# of a reviewer or admin (Cognito needs its answer to issue tokens): page at the first few
# errors.
resource "aws_cloudwatch_metric_alarm" "cognito_trigger_errors" {
  alarm_name          = "${var.name}-cognito-trigger-errors"
  alarm_description   = "page: the staff pool's Cognito pre-token-generation trigger failed 5 times or more in 5 minutes: reviewers' and admins' sign-ins and token renewals fail (docs/DEPLOYMENT.md#cloudwatch-alarms)"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = var.cognito_trigger_function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 5
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [module.oncall.page_topic_arn]
  ok_actions          = [module.oncall.page_topic_arn]
  tags                = var.tags
}

# --- RDS (no read replica: the Multi-AZ standby is synchronous, it has no lag to watch) ----

resource "aws_cloudwatch_metric_alarm" "rds_cpu" {
  alarm_name          = "${var.name}-rds-cpu"
  alarm_description   = "ticket: the database's CPU above 80 % for 15 minutes (docs/DEPLOYMENT.md#cloudwatch-alarms)"
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  dimensions          = { DBInstanceIdentifier = var.database_identifier }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "missing"
  alarm_actions       = [module.oncall.ticket_topic_arn]
  ok_actions          = [module.oncall.ticket_topic_arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "rds_connections" {
  alarm_name          = "${var.name}-rds-connections"
  alarm_description   = "page: the database's connections above 80 % of max_connections for 10 minutes: the next pods of a scale-up cannot connect (docs/DEPLOYMENT.md#cloudwatch-alarms)"
  namespace           = "AWS/RDS"
  metric_name         = "DatabaseConnections"
  dimensions          = { DBInstanceIdentifier = var.database_identifier }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  threshold           = floor(var.database_max_connections * 0.8)
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "missing"
  alarm_actions       = [module.oncall.page_topic_arn]
  ok_actions          = [module.oncall.page_topic_arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "rds_free_storage" {
  alarm_name          = "${var.name}-rds-free-storage"
  alarm_description   = "page: less than 5 GiB free on the database for 10 minutes: storage autoscaling is not keeping up or reached its ceiling (docs/DEPLOYMENT.md#cloudwatch-alarms)"
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  dimensions          = { DBInstanceIdentifier = var.database_identifier }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 2
  threshold           = 5 * local.gib
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = [module.oncall.page_topic_arn]
  ok_actions          = [module.oncall.page_topic_arn]
  tags                = var.tags
}

# --- The API's load balancer -----------------------------------------------------------
# The AWS Load Balancer Controller creates it at the first deploy (docs/DEPLOYMENT.md step
# 6): its alarms follow once alb_dns_name is set, found by the controller's tags.

data "aws_lb" "api" {
  count = var.alb_dns_name == "" ? 0 : 1
  tags = {
    "elbv2.k8s.aws/cluster" = var.cluster_name
    "ingress.k8s.aws/stack" = var.ingress_group
  }
  lifecycle {
    postcondition {
      condition     = self.dns_name == var.alb_dns_name
      error_message = "The load balancer of the ingress group is not the one alb_dns_name names."
    }
  }
}

# 5xx the balancer answers itself (502, 503, 504: no healthy target, a target that reset
# the connection or timed out): the pods never see those. The pods' own 5xx are the SLOs'.
resource "aws_cloudwatch_metric_alarm" "alb_5xx" {
  count               = length(data.aws_lb.api)
  alarm_name          = "${var.name}-alb-5xx"
  alarm_description   = "page: more than 5 % of the API's requests answered 5xx by the load balancer itself, 10 minutes running (docs/DEPLOYMENT.md#cloudwatch-alarms)"
  evaluation_periods  = 2
  threshold           = 5
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  metric_query {
    id          = "ratio"
    expression  = "IF(requests >= 50, 100 * FILL(elb5xx, 0) / requests, 0)"
    label       = "5xx answered by the load balancer, % of requests"
    return_data = true
  }
  metric_query {
    id = "elb5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      dimensions  = { LoadBalancer = data.aws_lb.api[0].arn_suffix }
      period      = 300
      stat        = "Sum"
    }
  }
  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = { LoadBalancer = data.aws_lb.api[0].arn_suffix }
      period      = 300
      stat        = "Sum"
    }
  }
  alarm_actions = [module.oncall.page_topic_arn]
  ok_actions    = [module.oncall.page_topic_arn]
  tags          = var.tags
}

resource "aws_cloudwatch_metric_alarm" "alb_unhealthy_targets" {
  count               = length(data.aws_lb.api)
  alarm_name          = "${var.name}-alb-unhealthy-targets"
  alarm_description   = "ticket: an API pod failing the load balancer's /readyz check for 5 minutes running (docs/DEPLOYMENT.md#cloudwatch-alarms)"
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  metric_query {
    id          = "unhealthy"
    expression  = "SELECT MAX(UnHealthyHostCount) FROM SCHEMA(\"AWS/ApplicationELB\", LoadBalancer, TargetGroup) WHERE LoadBalancer = '${data.aws_lb.api[0].arn_suffix}'"
    label       = "unhealthy targets"
    period      = 60
    return_data = true
  }
  alarm_actions = [module.oncall.ticket_topic_arn]
  ok_actions    = [module.oncall.ticket_topic_arn]
  tags          = var.tags
}

# --- CloudFront and the WAF: their metrics are in us-east-1, so are these alarms ----------

resource "aws_cloudwatch_metric_alarm" "cloudfront_5xx" {
  provider            = aws.us_east_1
  alarm_name          = "${var.name}-cloudfront-5xx"
  alarm_description   = "page: more than 5 % of the site's requests answered 5xx at the edge, 10 minutes running (docs/DEPLOYMENT.md#cloudwatch-alarms)"
  evaluation_periods  = 2
  threshold           = 5
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  metric_query {
    id          = "rate"
    expression  = "IF(requests >= 100, errors, 0)"
    label       = "5xx, % of requests (100 requests or more)"
    return_data = true
  }
  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/CloudFront"
      metric_name = "5xxErrorRate"
      dimensions  = { DistributionId = var.cloudfront_distribution_id, Region = "Global" }
      period      = 300
      stat        = "Average"
    }
  }
  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/CloudFront"
      metric_name = "Requests"
      dimensions  = { DistributionId = var.cloudfront_distribution_id, Region = "Global" }
      period      = 300
      stat        = "Sum"
    }
  }
  alarm_actions = [module.oncall_us_east_1.page_topic_arn]
  ok_actions    = [module.oncall_us_east_1.page_topic_arn]
  tags          = var.tags
}

# A surge of blocked requests: an attack the WAF holds (look at it), or a rule turning
# users away (look at it sooner). The WebACL dimension is the web ACL's metric name.
resource "aws_cloudwatch_metric_alarm" "waf_blocked_surge" {
  provider            = aws.us_east_1
  alarm_name          = "${var.name}-waf-blocked-surge"
  alarm_description   = "ticket: the WAF blocked more than ${var.waf_blocked_requests_surge} requests in 5 minutes (docs/DEPLOYMENT.md#cloudwatch-alarms)"
  namespace           = "AWS/WAFV2"
  metric_name         = "BlockedRequests"
  dimensions          = { WebACL = var.waf_metric_name, Rule = "ALL" }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.waf_blocked_requests_surge
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [module.oncall_us_east_1.ticket_topic_arn]
  ok_actions          = [module.oncall_us_east_1.ticket_topic_arn]
  tags                = var.tags
}

# --- SES: the account's reputation (SES reviews an account at 5 % bounces or 0.1 %
# complaints and pauses its sending at 10 % or 0.5 %) and the platform's own mail (the
# configuration set's event destination, ses module) --------------------------------------

resource "aws_cloudwatch_metric_alarm" "ses_bounce_rate" {
  alarm_name          = "${var.name}-ses-bounce-rate"
  alarm_description   = "page: the account's SES bounce rate at ${var.ses_bounce_rate_alarm * 100} % (SES pauses sending at 10 %) (docs/DEPLOYMENT.md#cloudwatch-alarms)"
  namespace           = "AWS/SES"
  metric_name         = "Reputation.BounceRate"
  statistic           = "Maximum"
  period              = 900
  evaluation_periods  = 1
  threshold           = var.ses_bounce_rate_alarm
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [module.oncall.page_topic_arn]
  ok_actions          = [module.oncall.page_topic_arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "ses_complaint_rate" {
  alarm_name          = "${var.name}-ses-complaint-rate"
  alarm_description   = "page: the account's SES complaint rate at ${var.ses_complaint_rate_alarm * 100} % (SES pauses sending at 0.5 %) (docs/DEPLOYMENT.md#cloudwatch-alarms)"
  namespace           = "AWS/SES"
  metric_name         = "Reputation.ComplaintRate"
  statistic           = "Maximum"
  period              = 900
  evaluation_periods  = 1
  threshold           = var.ses_complaint_rate_alarm
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [module.oncall.page_topic_arn]
  ok_actions          = [module.oncall.page_topic_arn]
  tags                = var.tags
}

# The platform's mail over the last hour (100 messages or more), from the configuration
# set's events: it moves before the account's reputation does.
resource "aws_cloudwatch_metric_alarm" "ses_mail" {
  for_each = {
    bounces    = { metric = "Bounce", threshold = var.ses_bounce_rate_alarm * 100 }
    complaints = { metric = "Complaint", threshold = var.ses_complaint_rate_alarm * 100 }
  }
  alarm_name          = "${var.name}-ses-${each.key}"
  alarm_description   = "ticket: ${each.key} above ${each.value.threshold} % of the platform's mail in the last hour (docs/DEPLOYMENT.md#cloudwatch-alarms)"
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  metric_query {
    id          = "ratio"
    expression  = "IF(sent >= 100, 100 * FILL(events, 0) / sent, 0)"
    label       = "${each.key}, % of the mail sent"
    return_data = true
  }
  metric_query {
    id = "events"
    metric {
      namespace   = "AWS/SES"
      metric_name = each.value.metric
      dimensions  = { "ses:configuration-set" = var.ses_configuration_set_name }
      period      = 3600
      stat        = "Sum"
    }
  }
  metric_query {
    id = "sent"
    metric {
      namespace   = "AWS/SES"
      metric_name = "Send"
      dimensions  = { "ses:configuration-set" = var.ses_configuration_set_name }
      period      = 3600
      stat        = "Sum"
    }
  }
  alarm_actions = [module.oncall.ticket_topic_arn]
  ok_actions    = [module.oncall.ticket_topic_arn]
  tags          = var.tags
}

# --- Budget: the month's cost of this environment (its resources carry the Environment
# tag, default_tags; the tag must be activated as a cost allocation tag, step 2) -------------

resource "aws_budgets_budget" "monthly" {
  name         = "${var.name}-monthly"
  budget_type  = "COST"
  limit_amount = tostring(var.monthly_budget_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"
  cost_filter {
    name   = "TagKeyValue"
    values = [format("user:Environment$%s", var.environment)]
  }
  notification {
    comparison_operator       = "GREATER_THAN"
    threshold                 = 80
    threshold_type            = "PERCENTAGE"
    notification_type         = "ACTUAL"
    subscriber_sns_topic_arns = [module.oncall.ticket_topic_arn]
  }
  notification {
    comparison_operator       = "GREATER_THAN"
    threshold                 = 100
    threshold_type            = "PERCENTAGE"
    notification_type         = "FORECASTED"
    subscriber_sns_topic_arns = [module.oncall.ticket_topic_arn]
  }
  notification {
    comparison_operator       = "GREATER_THAN"
    threshold                 = 120
    threshold_type            = "PERCENTAGE"
    notification_type         = "ACTUAL"
    subscriber_sns_topic_arns = [module.oncall.page_topic_arn]
  }
}
