# Remote state in S3 with S3-native locking (Terraform >= 1.10, no DynamoDB table).
# The bucket is created once per account, see docs/DEPLOYMENT.md ("State bucket").
terraform {
  backend "s3" {
    key          = "pge/staging/terraform.tfstate"
    region       = "eu-west-3"
    encrypt      = true
    use_lockfile = true
    # bucket is given at init: terraform init -backend-config="bucket=<state bucket>"
  }
}
