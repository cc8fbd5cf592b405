#!/usr/bin/env bash
# Install the Debian packages svmine uses, only where they are missing:
#   tesseract-ocr (OCR of scanned pages), chromium (report screenshots, review-page tests).
# Without root or apt-get it prints the command to run instead and carries on: svmine still
# works, scanned pages are then marked `needs_ocr` and browser tests skip with that reason.
set -u
need=()
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr tesseract-ocr-eng)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core >/dev/null \
    || { echo "apt-get install failed: run 'sudo apt-get install ${need[*]}'" >&2; exit 1; }
else
  echo "missing system packages: ${need[*]}; install them with 'sudo apt-get install ${need[*]}'" >&2
fi
