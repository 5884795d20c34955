"""A stand-in for the aws CLI, for the checks of scripts/deploy-web.sh: logs each call as a
JSON line ($AWS_STUB_LOG), keeps what `s3 cp` uploads under $AWS_STUB_STORE/<bucket>/<key>
and serves it back on download, answers create-invalidation with an id. Run as a script
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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
