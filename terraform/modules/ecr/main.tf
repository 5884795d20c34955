# ECR: immutable tags (a commit SHA names one image forever), scan on push, KMS.


module "ecr_key" {
  source                = "../kms-key"
  description           = "ECR ${var.repository_name}"
  allow_cloudwatch_logs = false
  tags                  = var.tags
}

resource "aws_ecr_repository" "this" {
  name                 = var.repository_name
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = module.ecr_key.arn
  }

  tags = var.tags
}

# What an environment runs is never expired: the deploy jobs tag the image they deploy
# <environment>-<sha> (production-..., staging-...) before `helm upgrade`, and a rule that
# selects a tag prefix shields its images from every later rule (an image is expired by
# the first rule whose tags it matches, or by none). The pods pull IfNotPresent, yet a new
# node must still pull the image: a production that lags many commits behind main can
# reschedule and scale up, and roll back to any release it ran.
locals {
  lifecycle_rules = [
    {
      rulePriority = 1
      description  = "Every image production ran (tagged production- at deploy): kept, 9999 being beyond the platform's life"
      selection    = { tagStatus = "tagged", tagPrefixList = ["production-"], countType = "imageCountMoreThan", countNumber = 9999 }
      action       = { type = "expire" }
    },
    {
      rulePriority = 2
      description  = "Staging's newest deploys (tagged staging- at deploy): more than the 20 Helm revisions a rollback can reach"
      selection    = { tagStatus = "tagged", tagPrefixList = ["staging-"], countType = "imageCountMoreThan", countNumber = var.keep_staging_images }
      action       = { type = "expire" }
    },
    {
      rulePriority = 3
      description  = "Drop untagged layers and cache manifests after a week"
      selection    = { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 7 }
      action       = { type = "expire" }
    },
    {
      rulePriority = 4
      description  = "Images never deployed (the commit SHA tag only): the most recent ones"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = var.keep_images }
      action       = { type = "expire" }
    },
  ]
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name
  policy     = jsonencode({ rules = local.lifecycle_rules })
}
