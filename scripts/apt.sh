# Sourced by the scripts that install Debian packages they need from this machine's own sources
# (kotlin-test.sh, apk-check.sh, build-lib.sh, chroot.sh). The caller sets `tag` (its name, for
# messages). Needs root when something is missing.

# apt_ensure "NEED ..." PACKAGE...: installs the packages unless every NEED is there, each a
# command name or an absolute file path; `apt-get update` only when the install fails without it
apt_ensure() {
  local need missing=
  for need in $1; do
    case "$need" in
      /*) [ -e "$need" ] || missing=1 ;;
      *) command -v "$need" >/dev/null || missing=1 ;;
    esac
  done
  shift
  [ -z "$missing" ] && return 0
  echo "$tag: installing $* (apt) ..."
  (apt-get install -y -q "$@" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "$@" >/dev/null; }) \
    || { echo "$tag: cannot install $* (need apt-get as root)" >&2; exit 1; }
}
