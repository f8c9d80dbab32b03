#!/bin/sh
# render-config.sh SOURCE TARGET [COMMAND [ARG...]]
#
# Copies SOURCE to TARGET replacing every ${NAME} with the value of the environment
# variable NAME, then (if given) execs COMMAND. Used as the container entrypoint of
# Alertmanager and of the DingTalk bridge for the few secrets those programs cannot read
# from a file (WeCom api_secret, the DingTalk robot URL and signing secret), so no value
# is ever committed. POSIX sh + sed only (busybox images).
#
# A placeholder whose variable is unset is an error (the container stops with the name),
# a variable set to the empty string renders as empty. Values may contain any character
# except a newline. TARGET is written with mode 600.
set -eu

if [ $# -lt 2 ]; then
  echo "usage: render-config.sh SOURCE TARGET [COMMAND [ARG...]]" >&2
  exit 2
fi
src=$1
dst=$2
shift 2

names=$(grep -o '\${[A-Za-z_][A-Za-z0-9_]*}' "$src" | sed 's/^\${\(.*\)}$/\1/' | sort -u) || true

script=''
missing=''
for name in $names; do
  if eval "[ -z \"\${$name+set}\" ]"; then
    missing="$missing $name"
    continue
  fi
  eval "value=\${$name}"
  case $value in
    *'
'*)
      echo "render-config: $name contains a newline" >&2
      exit 1
      ;;
  esac
  # In a sed replacement only \, & and the delimiter are special.
  escaped=$(printf '%s\n' "$value" | sed 's/[\\&|]/\\&/g')
  script="$script
s|\${$name}|$escaped|g"
done

if [ -n "$missing" ]; then
  echo "render-config: $src needs these environment variables:$missing" >&2
  exit 1
fi

umask 077
sed -e "$script" "$src" > "$dst.tmp"
mv "$dst.tmp" "$dst"

if [ $# -gt 0 ]; then
  exec "$@"
fi
