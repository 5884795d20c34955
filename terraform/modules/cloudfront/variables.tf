variable "name" {
  description = "Prefix of resource names, e.g. pge-staging."
  type        = string
}

variable "app_domain" {
  description = "Public domain of the platform served by CloudFront, e.g. pge.example.fr."
  type        = string
  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.app_domain))
    error_message = "app_domain must be a lowercase DNS name."
  }
}

variable "origin_domain" {
  description = "Domain of the API load balancer (CNAME to the ALB made by the AWS Load Balancer Controller), e.g. origin.pge.example.fr."
  type        = string
  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.origin_domain))
    error_message = "origin_domain must be a lowercase DNS name."
  }
}

variable "alb_dns_name" {
  description = "DNS name of the ALB once the chart is deployed; empty on the first apply (no origin record yet)."
  type        = string
  default     = ""
  validation {
    condition     = var.alb_dns_name == "" || can(regex("\\.elb\\.amazonaws\\.com$", var.alb_dns_name))
    error_message = "alb_dns_name must be empty or an ELB DNS name ending in .elb.amazonaws.com."
  }
}

variable "origin_verify_header_name" {
  description = "Name of the secret header CloudFront adds to the API origin's requests and the ALB requires (chart value ingress.originVerify.headerName)."
  type        = string
  default     = "X-Origin-Verify"
  validation {
    condition     = can(regex("^[A-Za-z0-9-]{1,64}$", var.origin_verify_header_name)) && !can(regex("^(?i)x-(amz|edge)-", var.origin_verify_header_name))
    error_message = "origin_verify_header_name must be an HTTP header name (letters, digits, hyphens) that CloudFront lets an origin receive (not X-Amz-* or X-Edge-*)."
  }
}

variable "route53_zone_id" {
  description = "Hosted zone of app_domain and origin_domain."
  type        = string
}

variable "frontend_bucket" {
  description = "Name of the SPA bucket."
  type        = string
}

variable "frontend_bucket_arn" {
  description = "ARN of the SPA bucket."
  type        = string
}

variable "frontend_bucket_regional_domain_name" {
  description = "Regional domain name of the SPA bucket."
  type        = string
}

variable "documents_origin" {
  description = "Origin of the documents bucket as the API presigns its URLs, https://<bucket>.s3.<region>.amazonaws.com (s3 module output documents_origin): the CSP's connect-src."
  type        = string
  validation {
    condition     = can(regex("^https://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\\.s3\\.[a-z]{2}(-gov)?-[a-z]+-[0-9]\\.amazonaws\\.com$", var.documents_origin))
    error_message = "documents_origin must be a virtual-hosted S3 origin such as https://pge-staging-documents-123456789012.s3.eu-west-3.amazonaws.com."
  }
}

variable "cognito_hosted_ui_domain" {
  description = "Cognito hosted UI domain without scheme (cognito module output hosted_ui_domain): the CSP's connect-src and form-action."
  type        = string
  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.cognito_hosted_ui_domain))
    error_message = "cognito_hosted_ui_domain must be a lowercase DNS name without scheme, such as pge-staging.auth.eu-west-3.amazoncognito.com."
  }
}

variable "cognito_staff_hosted_ui_domain" {
  description = "The staff pool's hosted UI domain without scheme (module cognito_staff, output hosted_ui_domain): the CSP's connect-src and form-action."
  type        = string
  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.cognito_staff_hosted_ui_domain))
    error_message = "cognito_staff_hosted_ui_domain must be a lowercase DNS name without scheme, such as pge-staging-staff.auth.eu-west-3.amazoncognito.com."
  }
}

variable "logs_bucket_domain_name" {
  description = "Bucket receiving the CloudFront standard logs."
  type        = string
}

variable "web_acl_arn" {
  description = "WAF web ACL (CLOUDFRONT scope)."
  type        = string
}

variable "geo_restriction_countries" {
  description = "If non-empty, CloudFront only serves these countries (ISO 3166-1 alpha-2)."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for c in var.geo_restriction_countries : can(regex("^[A-Z]{2}$", c))])
    error_message = "geo_restriction_countries must be ISO 3166-1 alpha-2 codes such as FR."
  }
}

variable "price_class" {
  description = "CloudFront price class; PriceClass_100 (Europe and North America) fits a French audience."
  type        = string
  default     = "PriceClass_100"
  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
