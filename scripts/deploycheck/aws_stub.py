"""A stand-in for the aws CLI, for the checks of scripts/deploy-web.sh and
scripts/tag-deployed-image.sh: logs each call as a JSON line ($AWS_STUB_LOG), keeps what
`s3 cp` uploads under $AWS_STUB_STORE/<bucket>/<key> and serves it back on download,
answers create-invalidation with an id, and keeps ECR images as
$AWS_STUB_STORE/ecr/<registry>/<repository>/<tag>.json ({"imageManifest": ...,
"imageManifestMediaType": ...}) for describe-images, batch-get-image and put-image, with
ECR's answers for a missing image or an existing tag, and mints and deletes Grafana
workspace service account tokens (live ones kept as $AWS_STUB_STORE/grafana/tokens/<id>,
which the stand-in Grafana of grafana_stub.py accepts). Run as a script
(scripts/check-deploy.sh puts an `aws` wrapper calling it first on the PATH)."""
import json
import os
import shutil
import sys


def main(args):
    with open(os.environ["AWS_STUB_LOG"], "a") as f:
        f.write(json.dumps(args) + "\n")
    store = os.environ["AWS_STUB_STORE"]
    if args[:2] == ["s3", "cp"]:
        src, dst = args[2], args[3]
        if dst.startswith("s3://"):
            path = os.path.join(store, dst[5:])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            shutil.copyfile(src, path)
        elif src.startswith("s3://"):
            path = os.path.join(store, src[5:])
            if not os.path.exists(path):
                return "fatal error: An error occurred (404) when calling the HeadObject operation: Not Found"
            shutil.copyfile(path, dst)
    elif args[:2] == ["cloudfront", "create-invalidation"]:
        print("I2J0STUBINVALIDATION")
    elif args[:1] == ["ecr"]:
        return ecr(args, os.path.join(store, "ecr"))
    elif args[:1] == ["grafana"]:
        return grafana(args, os.path.join(store, "grafana", "tokens"))
    return 0


def opt(args, name):
    return args[args.index(name) + 1] if name in args else ""


def ecr(args, store):
    """describe-images, batch-get-image and put-image of one tag, as ECR answers them."""
    op = args[1]
    tag = opt(args, "--image-tag") if op == "put-image" else opt(args, "--image-ids").removeprefix("imageTag=")
    path = os.path.join(store, opt(args, "--registry-id"), opt(args, "--repository-name"), tag + ".json")
    found = os.path.exists(path)
    if op == "describe-images" and found:
        print(json.dumps({"imageDetails": [{"imageTags": [tag]}]}))
    elif op == "batch-get-image":
        image = json.load(open(path)) if found else None
        print(json.dumps({"images": [image] if image else [], "failures": [] if image else [{"failureCode": "ImageNotFound"}]}))
    elif op == "put-image" and not found:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump({"imageManifest": opt(args, "--image-manifest"), "imageManifestMediaType": opt(args, "--image-manifest-media-type")}, f)
    else:
        error = "ImageAlreadyExistsException" if op == "put-image" else "ImageNotFoundException"
        print(f"An error occurred ({error}) when calling the {op} operation", file=sys.stderr)
        return 254
    return 0


def grafana(args, tokens):
    """create-workspace-service-account-token and delete-workspace-service-account-token."""
    os.makedirs(tokens, exist_ok=True)
    if args[1] == "create-workspace-service-account-token":
        token_id = str(len(os.listdir(tokens)) + len(open(os.environ["AWS_STUB_LOG"]).readlines()))
        key = f"glsa_stub_{token_id}"
        with open(os.path.join(tokens, token_id), "w") as f:
            f.write(key)
        print(json.dumps({"serviceAccountId": opt(args, "--service-account-id"), "workspaceId": opt(args, "--workspace-id"),
                          "serviceAccountToken": {"id": token_id, "key": key, "name": opt(args, "--name")}}))
        return 0
    if args[1] == "delete-workspace-service-account-token":
        path = os.path.join(tokens, opt(args, "--token-id"))
        if os.path.exists(path):
            os.remove(path)
            return 0
        print("An error occurred (ResourceNotFoundException) when calling the DeleteWorkspaceServiceAccountToken operation", file=sys.stderr)
        return 254
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
