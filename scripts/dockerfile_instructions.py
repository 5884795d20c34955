"""The instructions of a Dockerfile, one string each: comment lines dropped, continuation
lines joined. Shared by scripts/check-deploy.sh (the Dockerfile contract) and
scripts/image.sh (the final stage it reproduces)."""


def instructions(path):
    lines, cont = [], ""
    for raw in open(path):
        line = raw.rstrip("\n")
        if line.lstrip().startswith("#"):
            continue
        if line.endswith("\\"):
            cont += line[:-1] + " "
            continue
        if (cont + line).strip():
            lines.append((cont + line).strip())
        cont = ""
    return lines
