# Sourced by deploy/quickstart and deploy/test-env: each step prints one line with its time, its
# output goes to a log, and apt installs only what is missing, upgrading nothing it can leave alone.
# The sourcing script sets step_prefix (the name its lines start with) and step_log (the log file).

say() { printf '%s: %s\n' "$step_prefix" "$*"; }
die() { printf '%s: error: %s\n' "$step_prefix" "$*" >&2; exit 1; }

# step DESCRIPTION COMMAND [ARG...]: prints "DESCRIPTION … 12.3 s"; when the command fails, prints its
# last log lines on stderr and ends the script (exit 1). The command runs in a subshell, so it cannot
# set the caller's variables. Call step as a plain command, never under `if`, `||` or `&&`: bash
# ignores `set -e` in a function called there, in every subshell too.
step() {
  local description=$1 started=$EPOCHREALTIME offset status=0
  shift
  printf '%s: %s … ' "$step_prefix" "$description"
  printf '\n==== %s %s\n' "$(date -Is)" "$description" >>"$step_log"
  offset=$(stat -c %s "$step_log")
  ("$@") >>"$step_log" 2>&1 </dev/null &
  wait $! || status=$?
  local seconds
  seconds=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  if [ "$status" = 0 ]; then
    printf '%s s\n' "$seconds"
    return 0
  fi
  printf 'failed after %s s (exit %s); its last lines:\n' "$seconds" "$status"
  tail -c +$((offset + 1)) "$step_log" | tail -n 25 >&2
  printf '%s: the whole log: %s\n' "$step_prefix" "$step_log" >&2
  exit 1
}

# The packages of the list that dpkg does not have installed.
missing_packages() {
  local package
  for package in "$@"; do
    [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" = 'install ok installed' ] ||
      printf '%s\n' "$package"
  done
}

# Installed packages that `apt-get install` of these packages would upgrade: only those whose newer
# version a new package requires, since --no-upgrade and installing only what is missing leave the
# rest alone.
apt_upgrades() {
  apt-get install -s -q --no-install-recommends --no-upgrade "$@" 2>/dev/null |
    awk '/^Inst [^ ]+ \[/ { printf "%s%s", sep, $2; sep = " " }'
}

apt_updated=
# apt_install PACKAGE...: installs those not installed yet, one step for the package lists and one for
# the install; says which installed packages the new ones force to a newer version, if any.
apt_install() {
  local missing upgrades
  mapfile -t missing < <(missing_packages "$@")
  [ "${#missing[@]}" -gt 0 ] || return 0
  [ "$(id -u)" = 0 ] || die "${missing[*]} must be installed: run as root, or install them (apt-get install ${missing[*]})"
  command -v apt-get >/dev/null || die "${missing[*]} must be installed, and this machine has no apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "$apt_updated" ]; then
    step "apt: reading the package lists (apt-get update)" apt-get update -q
    apt_updated=1
  fi
  upgrades=$(apt_upgrades "${missing[@]}")
  [ -z "$upgrades" ] || say "apt: the new packages need newer versions of $upgrades, which apt upgrades"
  step "apt: installing ${missing[*]}" \
    apt-get install -y -q --no-install-recommends --no-upgrade "${missing[@]}"
}
