#!/usr/bin/env bash
# Look at a draft as a unit clerk's mail client shows it: Thunderbird under Xvfb, a screenshot to PNG.
#   tools/look_in_thunderbird.sh DRAFT.eml OUT.png
# Needs: apt-get install thunderbird xvfb xdotool x11-apps imagemagick dbus
# Thunderbird does not open an .eml given on its command line without a remote channel and an account; so the draft
# is put in the Inbox of a Local Folders profile, Inbox and then the message are clicked, and the screen is saved.
set -euo pipefail
draft=$(realpath "$1"); out=$(realpath -m "$2")
work=$(mktemp -d); trap 'kill $xvfb 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/p/Mail/Local Folders"
cat > "$work/p/user.js" <<'PREFS'
user_pref("mail.shell.checkDefaultClient", false);
user_pref("mail.provider.suppress_dialog_on_startup", true);
user_pref("mailnews.start_page.enabled", false);
user_pref("app.update.enabled", false);
user_pref("datareporting.policy.dataSubmissionPolicyBypassNotification", true);
user_pref("mail.accountmanager.accounts", "account1");
user_pref("mail.accountmanager.localfoldersserver", "server1");
user_pref("mail.account.account1.server", "server1");
user_pref("mail.server.server1.type", "none");
user_pref("mail.server.server1.hostname", "Local Folders");
user_pref("mail.server.server1.name", "Local Folders");
user_pref("mail.server.server1.userName", "nobody");
user_pref("mail.server.server1.directory-rel", "[ProfD]Mail/Local Folders");
PREFS
{ echo "From - $(date -u '+%a %b %d %H:%M:%S %Y')"; tr -d '\r' < "$draft"; echo; } > "$work/p/Mail/Local Folders/Inbox"
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1280x900x24 >/dev/null 2>&1 & xvfb=$!
sleep 2
DISPLAY=$display dbus-run-session -- bash -c "
  thunderbird --no-remote --profile '$work/p' >/dev/null 2>&1 & tb=\$!
  sleep 20
  xdotool mousemove 60 113 click 1; sleep 2      # open Local Folders
  xdotool mousemove 128 141 click 1; sleep 2     # Inbox
  xdotool mousemove 430 115 click 1; sleep 5     # the message
  xwd -root -silent | convert xwd:- '$out'
  kill \$tb; wait \$tb || true" 2>/dev/null
echo "$out"
