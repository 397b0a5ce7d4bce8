# Makes more suites of the Debian mirror visible to apt: the mirror is the one the image's own
# apt sources name, in either form (a debootstrapped base's one-line /etc/apt/sources.list, the
# official image's deb822 /etc/apt/sources.list.d/debian.sources), as apt itself reports it.
# A suite the sources already name is left as it is. Used by the toolchain recipe and by
# setup's question to the mirror (harness/apt_versions.py).
#   sh add-suites.sh SUITE...
set -eu
[ "$#" -gt 0 ] || exit 0
targets=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages')
mirror=$(printf '%s\n' "$targets" | awk '$2 !~ /-(security|updates|backports)$/ { print $1; exit }')
if [ -z "$mirror" ]; then
  echo "add-suites: the image's apt sources name no Debian mirror (apt-get indextargets:" \
       "$(printf '%s' "$targets" | head -c 300))" >&2
  exit 1
fi
for suite in "$@"; do
  if printf '%s\n' "$targets" | awk -v s="$suite" '$2 == s { found = 1 } END { exit !found }'; then
    continue
  fi
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\n' "$mirror" "$suite" \
    > "/etc/apt/sources.list.d/$suite.sources"
done
