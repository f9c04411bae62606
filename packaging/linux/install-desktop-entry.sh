#!/bin/sh
# Add CEHRS Cards to your desktop's application menu (for this user only; no root needed).
# Run it from the unpacked folder: ./install-desktop-entry.sh   (remove with --remove)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
id=io.github.cehrscards.CEHRSCards
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps"
if [ "${1:-}" = "--remove" ]; then
  rm -f "$apps/$id.desktop" "$icons/$id.png"
  echo "Removed the menu entry."
  exit 0
fi
mkdir -p "$apps" "$icons"
cp "$here/$id.png" "$icons/$id.png"
sed "s|^Exec=.*|Exec=\"$here/cehrs-cards\"|" "$here/$id.desktop" > "$apps/$id.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$apps" 2>/dev/null || true
echo "CEHRS Cards is now in your application menu (launcher: $here/cehrs-cards)."
