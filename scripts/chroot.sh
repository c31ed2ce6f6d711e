# Sourced by scripts/swift-test.sh and scripts/arm64-check.sh: Debian 13 chroots made with
# debootstrap, cached outside the clone in ${PROOFSHOT_CACHE:-~/.cache/proofshot}, and the
# mounts a run needs in them (undone on exit). Needs root. The caller sets `root` (the
# repository) and `tag` (its name, for messages) before sourcing.

cache=${PROOFSHOT_CACHE:-$HOME/.cache/proofshot}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

. scripts/apt.sh

# make_chroot DIR PACKAGES WHAT [SETUP]: debootstraps Debian 13 with PACKAGES (comma-separated)
# into DIR unless a finished one is there, then runs SETUP (a shell command) inside it; WHAT
# says what is fetched, printed on the first run. A marker file says DIR is complete, so an
# interrupted run starts over.
make_chroot() {
  local dir=$1 packages=$2 what=$3 setup=${4:-} log
  [ -f "$dir/.proofshot-ready" ] && return 0
  apt_ensure debootstrap debootstrap
  log=$cache/$(basename "$dir").log
  echo "$tag: first run: Debian 13 with $what from $mirror into $dir"
  mkdir -p "$cache"
  rm -rf "$dir.part"
  debootstrap --variant=minbase --include="$packages" trixie "$dir.part" "$mirror" >"$log" 2>&1 \
    || { echo "$tag: debootstrap failed; see $log" >&2; exit 1; }
  if [ -n "$setup" ]; then
    cp /etc/resolv.conf "$dir.part/etc/resolv.conf"
    mount -t proc proc "$dir.part/proc"
    chroot "$dir.part" /bin/bash -c "$setup" >>"$log" 2>&1 \
      || { umount "$dir.part/proc"; echo "$tag: setting up $dir failed; see $log" >&2; exit 1; }
    umount "$dir.part/proc"
  fi
  rm -rf "$dir" && mv "$dir.part" "$dir" && touch "$dir/.proofshot-ready"
}

# bind SOURCE TARGET / mount_proc DIR: mounts undone, last first, when the script exits
mounts=()
unmount_all() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" || true; done
}
trap unmount_all EXIT
bind() {
  mkdir -p "$2"
  mount --bind "$1" "$2" && mounts+=("$2")
}
mount_proc() {
  mount -t proc proc "$1/proc" && mounts+=("$1/proc")
}
