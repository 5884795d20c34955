#!/usr/bin/env bash
# Tags the image a deploy job is about to run <environment>-<sha> in ECR, next to its
# <sha> tag: ECR's lifecycle policy keeps the images so tagged (terraform/modules/ecr:
# every production- image, staging's newest), so that what an environment runs or may
# roll back to is never expired. Tags are immutable: an image already tagged (a
# re-deploy of the same commit) is left as it is.
#
#   scripts/tag-deployed-image.sh REPOSITORY_URL SHA ENVIRONMENT
#
# REPOSITORY_URL is ECR_REPOSITORY (<account>.dkr.ecr.<region>.amazonaws.com/pge), SHA the
# tag the build job pushed, ENVIRONMENT staging or production. Runs the aws CLI (and jq)
# with the caller's credentials: in the deploy jobs, the push role (AWS_ROLE_ARN) from
# the job's ID token, which may read and write the pge repository from main only.
set -euo pipefail

die() { echo "tag-deployed-image: $*" >&2; exit 1; }
[ $# -eq 3 ] || die "usage: $0 REPOSITORY_URL SHA ENVIRONMENT"
url=$1 sha=$2 env=$3
[[ $url =~ ^([0-9]{12})\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/([a-z0-9._/-]+)$ ]] ||
  die "REPOSITORY_URL: not an ECR repository URL: '$url'"
registry=${BASH_REMATCH[1]} repo=${BASH_REMATCH[2]}
[[ $sha =~ ^[0-9a-f]{40}$ ]] || die "SHA: not a commit SHA: '$sha'"
[[ $env =~ ^(staging|production)$ ]] || die "ENVIRONMENT: staging or production, not '$env'"
tag="$env-$sha"
ecr() { aws ecr "$@" --registry-id "$registry" --repository-name "$repo"; }

if ecr describe-images --image-ids imageTag="$tag" >/dev/null 2>&1; then
  echo "$repo:$tag already tagged"
  exit 0
fi
# The manifest as stored (OCI from buildah, or Docker's), put back under the new tag:
# same bytes, same digest, the same image.
image=$(ecr batch-get-image --image-ids imageTag="$sha" --output json \
  --accepted-media-types application/vnd.oci.image.manifest.v1+json application/vnd.docker.distribution.manifest.v2+json) ||
  die "cannot read $repo:$sha"
manifest=$(jq -er '.images[0].imageManifest' <<<"$image") || die "no image $repo:$sha (was it pushed by build-image?)"
media=$(jq -er '.images[0].imageManifestMediaType' <<<"$image") || die "$repo:$sha: no manifest media type"
ecr put-image --image-tag "$tag" --image-manifest "$manifest" --image-manifest-media-type "$media" >/dev/null
echo "$repo:$sha tagged $tag"
