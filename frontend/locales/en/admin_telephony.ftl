# Admin area: the tab bar, "admins only", SIP accounts (trunks), telephony users and number rules.

## Tab bar and the "admins only" page

admin-tab-trunks = SIP accounts
admin-tab-telephony-users = Telephony users
admin-tab-number-rules = Number rules
admin-tab-masking = Masking
admin-tab-limits = Call limits
admin-tab-recordings = Recordings
admin-tab-audit = Audit log
admin-tab-telephony-off = Turn telephony off
admin-tabs-label = Administration
admin-only-title = Admins only
admin-only-text = This page is for administrators. Ask one if you need a change here.
admin-only-contacts = Go to contacts

## SIP accounts (trunks)

trunks-title = SIP accounts
trunks-add = Add trunk
trunks-loading = Loading SIP accounts…
trunks-intro = The provider accounts calls go out through, tried by priority (lower first). The status follows registration live.
trunks-empty = No SIP accounts yet. Add the one your provider gave you.
trunks-col-status = Status
trunks-col-name = Name
trunks-col-number = Number
trunks-col-account = Account
trunks-col-server = Server
trunks-col-priority = Priority
trunks-delete-question = Delete this trunk?
trunks-deleting = Deleting…
trunks-delete = Delete
trunks-keep = Keep
trunks-register-now = Register now
trunks-register-now-title = Send a REGISTER to the provider now
trunks-edit = Edit
# After the trunk's name in the list; starts with a space.
trunks-row-disabled = { " " }(disabled)
trunks-form-new = New trunk
trunks-form-edit = Edit trunk
trunks-field-name = Name
trunks-field-number = Number
trunks-field-number-hint = The number this account receives calls on, any format.
trunks-field-username = User name
trunks-field-password = Password
trunks-password-hint-new = Required. It is stored and never shown again.
trunks-password-hint-stored = A password is stored. Leave empty to keep it; type a new one to replace it.
trunks-password-hint-none = No password is stored yet.
trunks-field-domain = Domain
trunks-field-domain-hint = The SIP domain of the account (the part after @).
trunks-field-server = Server
trunks-field-transport = Transport
trunks-field-outbound-proxy = Outbound proxy
trunks-field-outbound-proxy-hint = Optional, host or host:port.
trunks-field-expires = Registration expiry (s)
trunks-field-priority = Priority
trunks-field-priority-hint = Lower is tried first.
trunks-field-register = Register with the provider
trunks-field-enabled = Enabled (used for calls)
trunks-saving = Saving…
trunks-save = Save
trunks-cancel = Cancel
trunks-error-expires = Enter the expiry in whole seconds.
trunks-error-priority = Enter a whole number (lower is tried first).
trunks-error-password = A new trunk needs the provider's password.
trunks-status-registered = Registered
# $since: date and time.
trunks-status-registered-title = Registered since { $since }
trunks-status-failed = Failed
# $reason: the provider's or relay's reason, as it comes.
trunks-status-failed-reason-title = Registration failed: { $reason } (since { $since })
trunks-status-failed-title = Registration failed (since { $since })
trunks-status-pending = Pending
trunks-status-pending-title = Registering…
trunks-status-off = Not registering
trunks-status-off-title = Registration is off: the trunk is used without it

## Telephony users

tusers-title = Telephony users
tusers-add = Add telephony user
tusers-loading = Loading telephony users…
# The intro is cut by a link to the Masking tab (its name is admin-tab-masking):
# the text before the link, then the text after it. Spaces at the edges are { " " }.
tusers-intro-before-link = A telephony user gives a CRM user an extension and SIP credentials: the browser phone signs in with the web session, a desk phone with the login and password. To give every member of an access group one, use its switch on the{ " " }
tusers-intro-after-link = { " " }tab.
tusers-empty = Nobody can call yet. Add a telephony user for a CRM user.
tusers-col-extension = Ext.
tusers-col-user = User
tusers-col-sip-login = SIP login
tusers-col-incoming = Incoming
tusers-col-phone = Phone
tusers-col-forward-to = Forward to
# $name: the CRM user's name.
tusers-credentials-title = SIP credentials for { $name }
tusers-credentials-login = Login
tusers-credentials-password = Password
tusers-credentials-realm = Realm
tusers-credentials-extension = Extension
# Names the "New password" button (tusers-new-password).
tusers-credentials-once = This password is shown only now. Copy it into the desk phone; if it is lost, make a new one with “New password”.
tusers-credentials-dismiss = Done, hide it
tusers-rotate-question = Replace the password? Phones using it must be set up again.
tusers-new-password = New password
tusers-delete-question = Delete this telephony user?
tusers-delete = Delete
tusers-working = Working…
tusers-cancel = Cancel
tusers-edit = Edit
tusers-registered-title = A phone is registered now
tusers-registered = registered
tusers-not-registered-title = No phone registered now
tusers-not-registered = not registered
tusers-incoming-yes = Yes
tusers-incoming-no = No
tusers-phone-browser = Browser
tusers-phone-desk = Desk phone
tusers-form-new = New telephony user
tusers-form-edit = Edit telephony user
tusers-field-user = CRM user
tusers-field-user-fixed = The telephony user stays with its CRM user; delete it to give the extension to someone else.
tusers-field-user-pick = — pick a user —
tusers-field-user-none-left = Every CRM user already has a telephony user.
tusers-field-extension = Extension
tusers-field-extension-hint = 3 to 6 digits. The SIP login follows it.
tusers-field-forward-to = Forward to
tusers-field-forward-to-hint = Optional: an extension or a phone number, for calls nobody answers.
tusers-field-accept-incoming = Accept incoming calls
tusers-field-browser-calls = Calls in the browser
tusers-field-browser-calls-hint = Off: the user takes calls on a desk or soft phone (SIP over UDP/TCP).
tusers-saving = Saving…
tusers-create = Create
tusers-save = Save
tusers-error-user = Pick the CRM user.
tusers-error-extension = An extension is 3 to 6 digits.

## Number rules

rules-title = Number rules
rules-loading = Loading the number rules…
# $region: a region code such as RU or PL.
rules-intro = Every outbound call goes through these rules, in this order; the relay enforces them whatever a phone sends. Numbers without + are read as { $region } numbers.
rules-autocorrect-label = Autocorrect rules
rules-autocorrect-hint = One per line: a regular expression, /, its replacement ($1 for a group). Applied in order. Example: ^\+7/8 dials +7 numbers with 8.
rules-area-prefix-label = Area prefix
rules-area-prefix-hint = Put in front of local numbers. Needs the local number length.
rules-local-length-label = Local number length
rules-local-length-hint = Digits of a local number, 4 to 10. Empty: no local numbers.
rules-exit-prefix-label = International exit prefix
rules-exit-prefix-hint = A number starting with it is read as +. Empty: none.
rules-extension-length-label = Extension length
rules-extension-length-hint = Digits of an internal extension, 3 to 6.
rules-extra-label = Extra rules
rules-extra-hint = One per line, e.g. _XXXX: a number of exactly that shape is dialled as it is (X any digit, Z 1–9, N 2–9).
rules-forbidden-codes-label = Forbidden codes
rules-forbidden-codes-hint = Comma-separated. With +: a country or area however the number is typed; without: the start of the string sent to the provider.
rules-allowed-label = Allowed destinations
rules-countries-label = International: only these countries
rules-countries-hint = Comma-separated regions or calling codes. Empty: every country.
# The same field, named inside a sentence (rules-try-draft-mistake-in).
rules-countries-name = International countries
# Destination classes, lower case: checkbox labels (capitalised) and $class in the verdict.
rules-saving = Saving…
rules-save = Save rules
rules-discard = Discard changes
rules-unsaved = Unsaved changes
rules-saved-notice = Saved: the next call follows these rules.
rules-error-local-length = Enter the number of digits (e.g. 7), or leave it empty for no local numbers.
rules-error-extension-length = Enter the number of digits of an extension, 3 to 6.
# $line: line number in the list; $message: the relay's complaint, as it comes.
rules-error-at-line = Line { $line }: { $message }
rules-try-title = Try a number
rules-try-uses-draft = Uses the rules as they are on the form, not yet saved.
rules-try-uses-saved = Uses the rules on the form (the saved ones).
rules-try-number-label = Number to try
rules-trying = Trying…
rules-try = Try
rules-try-no-change = No rule changed the number.
# $field: a field's label (e.g. rules-forbidden-codes-label).
rules-try-draft-mistake-in = The draft rules have a mistake (see { $field } above).
rules-try-draft-mistake = The draft rules have a mistake (see the rules above).
# $class: class-… (common.ftl); $dial: what is sent to the provider; $e164: the number in international form.
rules-outcome-allowed-e164 = Allowed, { $class }: dials { $dial } ({ $e164 })
rules-outcome-allowed = Allowed, { $class }: dials { $dial }
# $reason: the relay's sentence, as it comes.
rules-outcome-refused = Refused: { $reason }
