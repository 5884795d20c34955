"""The deployment checks of scripts/check-deploy.sh that are Python: one module per
concern, each check a function over parsed inputs (unit-tested in tests/) and a `main`
that reads the repository's files, prints the errors or a one-line summary and returns
the exit status. Run as `python -m deploycheck <check> [args]` from the repository's root
(scripts/check-deploy.sh does, with the lint venv's Python: python-hcl2 and PyYAML)."""
