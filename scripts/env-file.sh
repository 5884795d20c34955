# Sourced by scripts/deploy-web.sh and scripts/provision-dashboards.sh, which define die().
#
#   read_env_file FILE ARRAY KEY...
#
# Reads FILE's KEY=value lines into the associative array ARRAY (declared by the caller).
# The file is read, never sourced: lines of the given keys only, comments, blank lines; a
# value is taken as written, `$` and quotes included (Terraform writes these files).
read_env_file() {
  local file=$1 into=$2 line key value
  shift 2
  [ -f "$file" ] || die "no env file at $file"
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    [[ $line =~ ^[[:space:]]*([A-Z0-9_]+)=(.*)$ ]] || die "$file: not a KEY=value line: $line"
    key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
    [[ " $* " == *" $key "* ]] || die "$file: unknown key $key"
    printf -v "$into[$key]" '%s' "$value"
  done <"$file"
}
