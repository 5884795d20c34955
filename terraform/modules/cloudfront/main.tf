# CloudFront: the SPA from S3 through origin access control, `/api/*` to the load
# balancer (not cached, except the public bank list), security headers, TLS 1.2+ only,
# WAF attached, standard logs to the logs bucket.

data "aws_region" "current" {}

# --- certificates --------------------------------------------------------------------

resource "aws_acm_certificate" "app" {
  provider          = aws.us_east_1
  domain_name       = var.app_domain
  validation_method = "DNS"
  tags              = var.tags
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_acm_certificate" "origin" {
  domain_name       = var.origin_domain
  validation_method = "DNS"
  tags              = var.tags
  lifecycle {
    create_before_destroy = true
  }
}

locals {
  validation_records = {
    for dvo in concat(tolist(aws_acm_certificate.app.domain_validation_options), tolist(aws_acm_certificate.origin.domain_validation_options)) :
    dvo.domain_name => dvo
  }
}

resource "aws_route53_record" "validation" {
  for_each        = local.validation_records
  zone_id         = var.route53_zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  ttl             = 300
  records         = [each.value.resource_record_value]
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "app" {
  provider                = aws.us_east_1
  certificate_arn         = aws_acm_certificate.app.arn
  validation_record_fqdns = [aws_route53_record.validation[var.app_domain].fqdn]
}

resource "aws_acm_certificate_validation" "origin" {
  certificate_arn         = aws_acm_certificate.origin.arn
  validation_record_fqdns = [aws_route53_record.validation[var.origin_domain].fqdn]
}

# --- origin verification -------------------------------------------------------------
# The ALB's security group admits CloudFront's origin-facing prefix list, which every
# distribution of every AWS customer shares: another distribution, without our WAF,
# could reach the origin. So the API origin gets a secret header, and the ALB's rule
# (the chart's Ingress, `alb.ingress.kubernetes.io/conditions.*`) forwards only
# requests carrying it; any other request gets the listener's default 404. The value
# is kept in Secrets Manager (eu-west-3), where the deploy job's CI/CD variable
# PGE_ORIGIN_VERIFY_SECRET is copied from; docs/DEPLOYMENT.md describes the rotation.

resource "random_password" "origin_verify" {
  length = 48
  # Letters and digits only: an ALB header condition reads * and ? as wildcards.
  special = false
}

module "origin_verify_key" {
  source                = "../kms-key"
  description           = "${var.name} CloudFront origin-verify secret"
  allow_cloudwatch_logs = false
  tags                  = var.tags
}

resource "aws_secretsmanager_secret" "origin_verify" {
  # checkov:skip=CKV2_AWS_57:CloudFront and the ALB must switch values in a set order (ALB accepts both, then CloudFront, then ALB drops the old one), which a Secrets Manager rotation Lambda cannot drive; rotation is the documented Terraform + deploy procedure (docs/DEPLOYMENT.md).
  name                    = "${var.name}/cloudfront-origin-verify"
  description             = "Value of the ${var.origin_verify_header_name} header CloudFront sends to the API origin; source of the GitLab CI/CD variable PGE_ORIGIN_VERIFY_SECRET"
  kms_key_id              = module.origin_verify_key.arn
  recovery_window_in_days = 7
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "origin_verify" {
  secret_id     = aws_secretsmanager_secret.origin_verify.id
  secret_string = random_password.origin_verify.result
}

# --- policies ------------------------------------------------------------------------

resource "aws_cloudfront_origin_access_control" "frontend" {
  name                              = "${var.name}-frontend"
  description                       = "CloudFront reads the SPA bucket with SigV4"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

# The Content-Security-Policy of the web app (Vite's output has no inline script or
# style, so no 'unsafe-inline'): its own files; connections to the API (same origin), to
# the documents bucket as the API presigns its URLs (virtual-hosted style:
# https://<bucket>.s3.<region>.amazonaws.com; uploads and previews), to Cognito's
# user-pool endpoints (OpenID discovery, keys) and the hosted UIs of both pools, the
# applicants' and the staff's (token and revocation endpoints); sign-in forms may post to
# those hosted UIs; images and frames of blob: for document previews;
# nobody may frame the app.
locals {
  content_security_policy = join("; ", [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self' ${var.documents_origin} https://cognito-idp.${data.aws_region.current.name}.amazonaws.com https://${var.cognito_hosted_ui_domain} https://${var.cognito_staff_hosted_ui_domain}",
    "frame-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self' https://${var.cognito_hosted_ui_domain} https://${var.cognito_staff_hosted_ui_domain}",
    "frame-ancestors 'none'",
  ])
}

resource "aws_cloudfront_response_headers_policy" "security" {
  name    = "${var.name}-security-headers"
  comment = "HSTS, CSP, no sniffing, no framing, strict referrer"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
    content_security_policy {
      content_security_policy = local.content_security_policy
      override                = true
    }
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }
    xss_protection {
      protection = true
      mode_block = true
      override   = true
    }
  }
}

# Public, anonymous and identical for everybody: the participating banks.
resource "aws_cloudfront_cache_policy" "public_api" {
  name        = "${var.name}-public-api"
  comment     = "Short cache for public GET endpoints such as /api/v1/banks"
  min_ttl     = 0
  default_ttl = 60
  max_ttl     = 300

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_brotli = true
    enable_accept_encoding_gzip   = true
    cookies_config {
      cookie_behavior = "none"
    }
    headers_config {
      header_behavior = "none"
    }
    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

# The SPA's files: what S3 says (scripts/deploy-web.sh sets Cache-Control on every
# object), between 0 s and a year. `no-cache` (index.html, config.json, and every
# client-side route, which the function below rewrites to /index.html before the cache)
# is revalidated with S3 at each request, so a deploy shows at once; /assets/* (content-
# hashed names) is kept a year. Unlike Managed-CachingOptimized (minimum TTL 1 s,
# default a day), an object without Cache-Control is not cached at all.
resource "aws_cloudfront_cache_policy" "frontend" {
  name        = "${var.name}-frontend"
  comment     = "SPA: the origin's Cache-Control (no-cache revalidated, assets immutable)"
  min_ttl     = 0
  default_ttl = 0
  max_ttl     = 31536000

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_brotli = true
    enable_accept_encoding_gzip   = true
    cookies_config {
      cookie_behavior = "none"
    }
    headers_config {
      header_behavior = "none"
    }
    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

# SPA routes (/requests/42, /admin, ...) are files the bucket does not have: serve
# index.html for any path without a file extension. A function on the SPA behaviour
# only, rather than a distribution-wide custom error response, so that the API's own
# 403 and 404 answers reach the browser unchanged.
resource "aws_cloudfront_function" "spa_routes" {
  name    = "${var.name}-spa-routes"
  runtime = "cloudfront-js-2.0"
  comment = "Rewrite SPA client-side routes to /index.html"
  publish = true
  code    = <<-EOT
    function handler(event) {
      var request = event.request;
      var last = request.uri.split('/').pop();
      if (last.indexOf('.') === -1) {
        request.uri = '/index.html';
      }
      return request;
    }
  EOT
}

data "aws_cloudfront_cache_policy" "disabled" {
  name = "Managed-CachingDisabled"
}

data "aws_cloudfront_origin_request_policy" "all_viewer_except_host" {
  name = "Managed-AllViewerExceptHostHeader"
}

# --- distribution --------------------------------------------------------------------

resource "aws_cloudfront_distribution" "this" {
  # checkov:skip=CKV2_AWS_47:The web ACL arrives as var.web_acl_arn from the waf module, which runs AWSManagedRulesKnownBadInputsRuleSet (Log4j; CKV_AWS_192 passes there); the graph check cannot follow an ARN across modules.
  # checkov:skip=CKV_AWS_374:Geographic restriction is configurable (var.geo_restriction_countries, France with its overseas territories in production tfvars); staging serves testers abroad.
  # checkov:skip=CKV_AWS_310:The API has a single origin (one regional ALB, Multi-AZ behind it); the SPA bucket is regional S3 with 11 nines of durability. No second origin exists in France to fail over to.
  enabled             = true
  is_ipv6_enabled     = true
  http_version        = "http2and3"
  comment             = "${var.name}: SPA and API"
  aliases             = [var.app_domain]
  default_root_object = "index.html"
  price_class         = var.price_class
  web_acl_id          = var.web_acl_arn

  origin {
    origin_id                = "frontend"
    domain_name              = var.frontend_bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.frontend.id
  }

  origin {
    origin_id   = "api"
    domain_name = var.origin_domain
    custom_origin_config {
      http_port                = 80
      https_port               = 443
      origin_protocol_policy   = "https-only"
      origin_ssl_protocols     = ["TLSv1.2"]
      origin_read_timeout      = 30
      origin_keepalive_timeout = 60
    }
    # Replaces any header of that name sent by the viewer.
    custom_header {
      name  = var.origin_verify_header_name
      value = random_password.origin_verify.result
    }
  }

  default_cache_behavior {
    target_origin_id           = "frontend"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.frontend.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id

    function_association {
      event_type   = "viewer-request"
      function_arn = aws_cloudfront_function.spa_routes.arn
    }
  }

  # GET is public and the same for everybody: cached. POST (an admin adding a bank)
  # passes through: CloudFront never caches it and forwards its Authorization header.
  ordered_cache_behavior {
    path_pattern               = "/api/v1/banks"
    target_origin_id           = "api"
    viewer_protocol_policy     = "https-only"
    allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.public_api.id
    origin_request_policy_id   = data.aws_cloudfront_origin_request_policy.all_viewer_except_host.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
  }

  ordered_cache_behavior {
    path_pattern               = "/api/*"
    target_origin_id           = "api"
    viewer_protocol_policy     = "https-only"
    allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = data.aws_cloudfront_cache_policy.disabled.id
    origin_request_policy_id   = data.aws_cloudfront_origin_request_policy.all_viewer_except_host.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
  }

  # Client-side routes of the SPA.
  restrictions {
    geo_restriction {
      restriction_type = length(var.geo_restriction_countries) > 0 ? "whitelist" : "none"
      locations        = var.geo_restriction_countries
    }
  }

  viewer_certificate {
    acm_certificate_arn      = aws_acm_certificate_validation.app.certificate_arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }

  logging_config {
    bucket          = var.logs_bucket_domain_name
    prefix          = "cloudfront/"
    include_cookies = false
  }

  tags = var.tags
}

data "aws_iam_policy_document" "frontend" {
  statement {
    sid       = "CloudFrontOAC"
    actions   = ["s3:GetObject"]
    resources = ["${var.frontend_bucket_arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.this.arn]
    }
  }
  # The builds scripts/deploy-web.sh keeps for a rollback are the deploy role's only.
  statement {
    sid       = "NoReleasesThroughCloudFront"
    effect    = "Deny"
    actions   = ["s3:GetObject"]
    resources = ["${var.frontend_bucket_arn}/releases/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
  }
  statement {
    sid       = "TLSOnly"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [var.frontend_bucket_arn, "${var.frontend_bucket_arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "frontend" {
  bucket = var.frontend_bucket
  policy = data.aws_iam_policy_document.frontend.json
}

# --- DNS -----------------------------------------------------------------------------

resource "aws_route53_record" "app" {
  for_each = toset(["A", "AAAA"])
  zone_id  = var.route53_zone_id
  name     = var.app_domain
  type     = each.key
  alias {
    name                   = aws_cloudfront_distribution.this.domain_name
    zone_id                = aws_cloudfront_distribution.this.hosted_zone_id
    evaluate_target_health = false
  }
}

resource "aws_route53_record" "origin" {
  count   = var.alb_dns_name == "" ? 0 : 1
  zone_id = var.route53_zone_id
  name    = var.origin_domain
  type    = "CNAME"
  ttl     = 300
  records = [var.alb_dns_name]
}
