# WAF in front of CloudFront. CLOUDFRONT-scoped web ACLs live in us-east-1: the caller
# passes its us-east-1 provider as this module's `aws`.


module "logs_key" {
  source                = "../kms-key"
  description           = "${var.name} WAF logs"
  allow_cloudwatch_logs = true
  tags                  = var.tags
}

resource "aws_wafv2_web_acl" "this" {
  name        = var.name
  description = "pge: AWS managed rules, API body size and rate limits, optional country allow-list"
  scope       = "CLOUDFRONT"

  default_action {
    allow {}
  }

  # What CloudFront forwards of a body to the WAF: the most it can, 64 KB (65,536 bytes),
  # so that the body-size rule sees a body up to the API's own limit and anything longer
  # is "oversize" (AWS charges extra for the bodies inspected beyond the default 16 KB).
  association_config {
    request_body {
      cloudfront {
        default_size_inspection_limit = "KB_64"
      }
    }
  }

  dynamic "rule" {
    for_each = length(var.allowed_country_codes) > 0 ? [1] : []
    content {
      name     = "geo-allow-list"
      priority = 1
      action {
        block {}
      }
      statement {
        not_statement {
          statement {
            geo_match_statement {
              country_codes = var.allowed_country_codes
            }
          }
        }
      }
      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.name}-geo"
        sampled_requests_enabled   = true
      }
    }
  }

  # The API's own limit is the one that applies: a body over var.api_limits.body_bytes
  # (the API's 64 KiB, api/src/extract.rs BODY_LIMIT) is refused here, anything below it
  # goes on to the API (the common rule set's 8 KB rule only counts, below). On every
  # path: only /api/* accepts a body at all (the other behaviours allow GET, HEAD and
  # OPTIONS), and no path encoding can slip past a rule without a scope.
  rule {
    name     = "body-over-api-limit"
    priority = 2
    action {
      block {}
    }
    statement {
      size_constraint_statement {
        comparison_operator = "GT"
        size                = var.api_limits.body_bytes
        field_to_match {
          body {
            # Longer than what CloudFront forwards (64 KB): over the API's limit anyway.
            oversize_handling = "MATCH"
          }
        }
        text_transformation {
          priority = 0
          type     = "NONE"
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-body-size"
      sampled_requests_enabled   = true
    }
  }

  # Rate limits that never count the web app's files (S3). A bank's reviewers share one
  # egress address: a request that carries a credential is counted per credential and
  # address, so each reviewer has a budget of their own; a request to /api/ without one
  # is counted per address. The API's own limits stay behind them: per user, and per
  # address for a token it cannot verify (a forged one spends its sender's budget). The
  # path is URL-decoded first, so that an encoded one ("/%61pi/") is no way around it.
  rule {
    name     = "rate-limit-api-anonymous"
    priority = 5
    action {
      block {}
    }
    statement {
      rate_based_statement {
        limit              = var.api_limits.anonymous_per_ip
        aggregate_key_type = "IP"
        scope_down_statement {
          and_statement {
            statement {
              byte_match_statement {
                search_string         = "/api/"
                positional_constraint = "STARTS_WITH"
                field_to_match {
                  uri_path {}
                }
                text_transformation {
                  priority = 0
                  type     = "URL_DECODE"
                }
              }
            }
            # No Authorization header (AWS's pattern for "header missing").
            statement {
              not_statement {
                statement {
                  size_constraint_statement {
                    comparison_operator = "GT"
                    size                = 0
                    field_to_match {
                      single_header {
                        name = "authorization"
                      }
                    }
                    text_transformation {
                      priority = 0
                      type     = "NONE"
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-rate-anonymous"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "rate-limit-api-per-credential"
    priority = 6
    action {
      block {}
    }
    statement {
      rate_based_statement {
        limit              = var.api_limits.per_credential
        aggregate_key_type = "CUSTOM_KEYS"
        # Only requests that carry the header are counted (AWS leaves out a request
        # missing a key): the API's calls, never the web app's files, which the browser
        # fetches without it. The anonymous rule above counts the others.
        custom_key {
          header {
            name = "authorization"
            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }
        custom_key {
          ip {}
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-rate-credential"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "AWSManagedRulesAmazonIpReputationList"
    priority = 10
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesAmazonIpReputationList"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-AWSManagedRulesAmazonIpReputationList"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "AWSManagedRulesCommonRuleSet"
    priority = 20
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"
        # SizeRestrictions_BODY blocks any body over 8 KB, while the API accepts 64 KiB
        # (a 100-item bulk decision, a long accented message): counted only, the
        # body-over-api-limit rule above holds the API's own limit. Every other rule of
        # the set keeps its action (block).
        rule_action_override {
          name = "SizeRestrictions_BODY"
          action_to_use {
            count {}
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-AWSManagedRulesCommonRuleSet"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "AWSManagedRulesKnownBadInputsRuleSet"
    priority = 30
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-AWSManagedRulesKnownBadInputsRuleSet"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "AWSManagedRulesSQLiRuleSet"
    priority = 40
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesSQLiRuleSet"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-AWSManagedRulesSQLiRuleSet"
      sampled_requests_enabled   = true
    }
  }

  # Managed rule groups on trial: counted, never blocking, whatever the variable says,
  # until the WAF logs of their counted requests show they spare real users. A group is
  # promoted to blocking by moving it into a rule of its own above, in a reviewed change.
  dynamic "rule" {
    for_each = { for g in var.managed_rule_groups_on_trial : g.name => g }
    content {
      name     = rule.key
      priority = rule.value.priority
      override_action {
        count {}
      }
      statement {
        managed_rule_group_statement {
          vendor_name = "AWS"
          name        = rule.key
        }
      }
      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.name}-${rule.key}"
        sampled_requests_enabled   = true
      }
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = var.name
    sampled_requests_enabled   = true
  }

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "waf" {
  # WAF requires the aws-waf-logs- prefix.
  name              = "aws-waf-logs-${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = module.logs_key.arn
  tags              = var.tags
}

# The log group of a web ACL must be in the web ACL's region: us-east-1 for the CLOUDFRONT
# scope, outside France. So only what the WAF blocked (or counted, while a rule is tuned)
# is logged, credentials redacted: the platform's users' ordinary requests stay out.
resource "aws_wafv2_web_acl_logging_configuration" "this" {
  resource_arn            = aws_wafv2_web_acl.this.arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]

  logging_filter {
    default_behavior = "DROP"
    filter {
      behavior    = "KEEP"
      requirement = "MEETS_ANY"
      condition {
        action_condition {
          action = "BLOCK"
        }
      }
      condition {
        action_condition {
          action = "COUNT"
        }
      }
    }
  }

  redacted_fields {
    single_header {
      name = "authorization"
    }
  }
  redacted_fields {
    single_header {
      name = "cookie"
    }
  }
}
