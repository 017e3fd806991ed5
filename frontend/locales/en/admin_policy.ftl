# Admin policy pages: number masking, call limits, recordings, the audit log, turning telephony off.

## Number masking (/admin/masking)

masking-title = Number masking
masking-loading = Loading access groups…
masking-intro = How the members of each access group see phone numbers, everywhere: lists, cards, the call log and incoming calls. The example shows { $sample }. "Telephony users" gives every member of the group a telephony user (the next free extension), now and when someone joins the group later; switched off, the existing ones stay.
masking-col-group = Group
masking-col-numbers = Numbers
masking-col-n = N
masking-col-example = Example
masking-col-telephony = Telephony users
masking-administrators = (administrators)
masking-kind-label = How { $group } sees numbers
masking-n-label = N digits
masking-save = Save
masking-saving = Saving…
masking-saved = Saved
masking-telephony-switch = Give every member a telephony user
masking-kind-none = Shown in full
masking-kind-hidden = Hidden
masking-kind-mask-first = First N digits as *
masking-kind-show-last = Only the last N digits
masking-n-invalid = N must be a whole number from 1 to { $max }.
masking-sample-hidden = (hidden: only the call button)

## Call limits (/admin/limits)

limits-title = Call limits
limits-loading = Loading call limits…
limits-intro = The relay refuses an outbound call over any of these limits; a running international call over the daily minutes is hung up. Leave a field empty for no limit.
limits-no-limit = No limit
limits-save = Save limits
limits-saving = Saving…
limits-saved = Saved
limits-scope-per-user = Each user
limits-scope-overall = Everyone together
limits-concurrent = Outbound calls at the same time
limits-concurrent-hint = Ringing or answered. 1 to 10 000.
limits-attempts = Call attempts per minute
limits-attempts-hint = In any 60 seconds. 1 to 100 000.
limits-international = International minutes per day
limits-international-hint = Talk time per UTC day; a call over it is hung up. 1 to 1 000 000.
limits-not-a-number = Enter a whole number, or leave it empty for no limit.

## Recordings (/admin/recordings)

recset-title = Recordings
recset-loading = Loading recording settings…
recset-intro = Answered calls whose audio the relay carries (browser calls) are recorded in stereo — the client left, your side right — from the answer to the hang-up. A user's own choice wins over their group's. Managers hear their own calls' recordings; a group that hears all calls hears everyone's. Every play and download goes to the audit log.
# $alert is the relay's own reason, shown as it sends it.
recset-alert = New calls are not being recorded: { $alert }. Calls go on as usual; free some space and recording resumes by itself.
recset-recording-now = { $count } calls being recorded now
# $free is the free space in gigabytes, one decimal.
recset-recording-now-free = { $count } calls being recorded now · { $free } GB free for recordings
recset-enabled = Record calls
recset-directions = Directions
recset-inbound = Inbound
recset-outbound = Outbound
recset-internal = Between colleagues
recset-consent = Announce the recording to the client before the call is connected
# $seconds is the length, one decimal.
recset-announcement-uploaded = The announcement lasts { $seconds } s (uploaded).
# The default announcement is spoken in English: keep its words as they are.
recset-announcement-default = The announcement lasts { $seconds } s (the default: "This call is recorded.").
recset-announcement-file = Your own announcement (WAV or MP3, up to 30 s)
recset-announcement-use-default = Use the default announcement
recset-retention = Keep recordings for (days)
recset-retention-hint = Older recordings are deleted; the call stays in the log and says so. 1 to 3650.
recset-retention-invalid = a whole number of days, 1 to 3650
recset-groups = Access groups
recset-col-group = Group
recset-col-recorded = Calls recorded
recset-col-hears-all = Hears all calls (saved at once)
recset-record-group = Record the calls of { $group }
recset-admins-always = always (administrators)
recset-hears-all = { $group } hears every call
recset-users = Users
recset-col-user = User
recset-user-label = Recording of { $user }'s calls
recset-user-group = As the group
recset-user-always = Always recorded
recset-user-never = Never recorded
recset-save = Save recording settings
recset-saving = Saving…
recset-saved = Saved

## Audit log (/admin/audit)

audit-title = Audit log
audit-loading = Loading the audit log…
audit-intro = Every play and download of a call's recording, with who did it.
audit-empty = Nobody has played or downloaded a recording yet.
audit-col-when = When
audit-col-who = Who
audit-col-what = What
audit-col-call = Call
audit-played = played the recording
audit-downloaded = downloaded the recording
audit-call = call { $id }
audit-newer = Newer
audit-older = Older
audit-range = { $from }–{ $to } of { $total }

## Turning telephony off (/admin/telephony)

teloff-title = Turn telephony off
teloff-danger-zone = Danger zone
teloff-removes = Turning telephony off removes, at once and for good:
teloff-removes-trunks = every SIP account (trunk) at your providers;
teloff-removes-users = every telephony user — their extensions and SIP passwords;
teloff-removes-settings = the number rules (back to the defaults), the call limits and the automatic telephony users per group.
teloff-stays = Calls in progress are hung up and every browser phone and desk phone is disconnected. The CRM — contacts, deals, tasks, notes, users — stays, and so do the call records, unless you tick the box below.
teloff-delete-calls = Also delete call records
teloff-delete-calls-hint = The whole call log. Notes and tasks keep their text, without the call. This cannot be undone.
teloff-start = Turn telephony off…
# Followed by the words to type, shown as code (they stay in English).
teloff-confirm-label = To go on, type
teloff-submit = Turn telephony off
teloff-submit-delete = Turn telephony off and delete call records
teloff-turning-off = Turning off…
teloff-cancel = Cancel
teloff-done = Telephony is off.
teloff-report-trunks = SIP accounts removed
teloff-report-sip-users = Telephony users removed
teloff-report-calls = Calls hung up
teloff-report-connections = Phone connections closed
teloff-report-records = Call records deleted
